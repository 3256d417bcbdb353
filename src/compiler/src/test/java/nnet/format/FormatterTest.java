package nnet.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import nnet.TestNetworks;
import nnet.ast.Ast;
import nnet.diag.Diagnostics;
import nnet.diag.Span;
import nnet.parse.Parser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The canonical layout: what it does to each form, and over every .nnet of the repository that it keeps the tree and is idempotent. */
public class FormatterTest {
    /** Every .nnet file in the repository (examples, corpus, diagnostics cases, fuzz inputs, benchmarks, editor tests); build output and hidden directories skipped. */
    static List<Path> everySource() throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(TestNetworks.root(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                String name = d.getFileName() == null ? "" : d.getFileName().toString();
                boolean skip = !d.equals(TestNetworks.root()) && (name.startsWith(".") || name.equals("target") || name.equals("node_modules"));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (f.toString().endsWith(".nnet") && a.isRegularFile()) found.add(f);
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }

    @TestFactory
    Stream<DynamicTest> keepsTheTreeAndIsIdempotentOnEverySource() throws IOException {
        List<Path> files = everySource();
        assertTrue(files.size() > 60, "found only " + files.size() + " sources under " + TestNetworks.root().toAbsolutePath());
        return files.stream().map(p -> DynamicTest.dynamicTest(TestNetworks.root().relativize(p).toString(), () -> {
            String text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
            Diagnostics diags = new Diagnostics();
            Ast.SourceFile before = Parser.parse(p.toString(), text, diags);
            Formatter.Result once = Formatter.format(p.toString(), text);
            if (diags.hasErrors()) {
                assertFalse(once.ok(), "a file with syntax errors was formatted");
                return;
            }
            assertTrue(once.ok(), () -> once.errors().toString());
            Diagnostics after = new Diagnostics();
            assertEquals(tree(before), tree(Parser.parse(p.toString(), once.text(), after)), "the tree changed");
            assertFalse(after.hasErrors(), () -> after.sorted() + "\n" + once.text());
            assertEquals(once.text(), Formatter.format(p.toString(), once.text()).text(), "a second run changed it");
        }));
    }

    @Test
    void theExamplesAreFormatted() throws IOException {
        try (Stream<Path> s = Files.list(TestNetworks.root().resolve("examples"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".nnet")).toList()) {
                String text = Files.readString(p);
                assertEquals(text, Formatter.format(p.toString(), text).text(), p.toString());
            }
        }
    }

    @Test
    void statementsStandOnePerLineIndentedByTwo() {
        assertEquals("""
                network N {
                  input x[2]
                  h = dense(x, 2, relu)
                  y = dense(h, 1)
                  output y
                }
                """, format("network N{input x [ 2 ];h=dense( x,2 ,relu ) ; y = dense(h,1) output y}"));
    }

    @Test
    void spacingFollowsOneTable() {
        assertEquals("""
                const K = -2
                network N {
                  input x[4]
                  a = dense(x, 4, connect: band(1) | blocks(2), weights: init [[1, -1]])
                  b = dense(a, 4, connect: edges [0 -> 1, 2..3 -> 0], bias: fixed [0, 0, 0, 0])
                  c = -a * 2 + (b - a) / K
                  output c
                  loss c: mse * 0.5
                  train {optimizer: adam(lr: 0.001), batch: 32}
                  train {}
                }
                """.replace("{optimizer", "{ optimizer").replace("32}", "32 }"), format("""
                const K=- 2;
                network N {
                input   x[4]
                a=dense(x,4,connect:band(1)|blocks(2),weights:init[[1,-1]])
                b=dense(a,4,connect:edges[0->1,2 .. 3->0],bias:fixed[0,0,0,0])
                c=- a*2+( b-a )/K
                output c
                loss c:mse*0.5
                train{optimizer:adam(lr:0.001),batch:32}
                train { }
                }
                """));
    }

    @Test
    void commentsAndBlankLineGroupsAreKept() {
        String text = """
                // a file comment


                /* a block comment
                   over two lines */
                block twice(x, n) {   // a block
                  h = dense(x, n) // first

                  // before the return
                  return dense(h, n)
                  // at the end of the body
                }
                network N {

                  input x[2] /* inline */
                  y = twice(x, /* units */ 2)


                  output y
                }
                """;
        assertEquals("""
                // a file comment

                /* a block comment
                   over two lines */
                block twice(x, n) {   // a block
                  h = dense(x, n)   // first

                  // before the return
                  return dense(h, n)
                  // at the end of the body
                }
                network N {
                  input x[2] /* inline */
                  y = twice(x, /* units */ 2)

                  output y
                }
                """, format(text));
    }

    @Test
    void equalsSignsAndTrailingCommentsLineUpInRuns() {
        assertEquals("""
                network N {
                  input img[1, 8, 8]
                  c1 = conv2d(img, 4, 3, relu, pad: same)     // [4, 8, 8]
                  // a comment line does not end the run
                  g  = conv2d(img, 4, 3, sigmoid, pad: same)
                  next, skip = gate(c1, g)
                  c2 = conv2d(next, 4, 3, pad: same) + skip   // joins again
                  p  = maxpool(c2, 2)                         // [4, 4, 4]

                  long_name = flatten(p)   // its own group
                  output long_name
                }
                """, format("""
                network N {
                  input img[1, 8, 8]
                  c1 = conv2d(img, 4, 3, relu, pad: same) // [4, 8, 8]
                  // a comment line does not end the run
                  g = conv2d(img, 4, 3, sigmoid, pad: same)
                  next, skip = gate(c1, g)
                  c2 = conv2d(next, 4, 3, pad: same) + skip // joins again
                  p = maxpool(c2, 2)   // [4, 4, 4]

                  long_name = flatten(p)  // its own group
                  output long_name
                }
                """));
    }

    @Test
    void lineBreaksInsideAStatementAreKeptAndIndented() {
        assertEquals("""
                network N {
                  input x[3]
                  y = dense(x, 2, connect: mask [
                    [1, 0],
                    [0, 1],
                    [1, 1]])   // [2]
                  z = y
                    + y
                  train {
                    optimizer: sgd(lr: 0.1),
                    batch: 4,
                  }
                  output z
                }
                """, format("""
                network N {
                  input x[3]
                  y = dense(x, 2, connect: mask [
                           [1, 0],
                           [0, 1],
                           [1, 1]])   // [2]
                  z = y
                  + y
                  train {
                  optimizer: sgd(lr: 0.1),
                  batch: 4,
                     }
                  output z
                }
                """));
    }

    @Test
    void windowsLineEndsAndTrailingSpacesGo() {
        assertEquals("network N {\n  input x[1]\n  output x   // end\n}\n", format("network N {\r\n  input x[1]   \r\n  output x   // end   \r\n}\r\n\r\n\r\n"));
    }

    @Test
    void aFileWithSyntaxErrorsIsNotFormatted() {
        Formatter.Result r = Formatter.format("bad.nnet", "network N {\n  h = dense(x, \n}\n");
        assertFalse(r.ok());
        assertEquals("bad.nnet:2:15", r.errors().get(0).span().toString());
    }

    private static String format(String text) {
        Formatter.Result r = Formatter.format("t.nnet", text);
        assertTrue(r.ok(), () -> r.errors().toString());
        assertEquals(r.text(), Formatter.format("t.nnet", r.text()).text(), "not idempotent");
        return r.text();
    }

    /** A tree as text without its places: what the formatter must not change. */
    public static String tree(Object node) {
        if (node instanceof List<?> l) return l.stream().map(FormatterTest::tree).collect(Collectors.joining(", ", "[", "]"));
        if (node == null || !node.getClass().isRecord()) return String.valueOf(node);
        StringBuilder sb = new StringBuilder(node.getClass().getSimpleName()).append('(');
        for (RecordComponent c : node.getClass().getRecordComponents()) {
            if (c.getType() == Span.class || c.getName().equals("path")) continue;
            try {
                sb.append(c.getName()).append('=').append(tree(c.getAccessor().invoke(node))).append(' ');
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return sb.append(')').toString();
    }
}
