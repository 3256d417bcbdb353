package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nnet.diag.DiagCode;
import org.junit.jupiter.api.Test;

/**
 * Every diagnostic code has a case that makes it appear (javac's CheckExamples idea), or is listed
 * in {@code cases/not-a-case.txt} with the test that makes it appear instead: a file that cannot
 * be read has no text to hold a marker.
 */
class DiagCodeCoverageTest {
    @Test
    void everyCodeHasACase() throws Exception {
        List<String> seen = new ArrayList<>();
        for (Path p : DiagnosticCasesTest.cases())
            for (var d : DiagnosticCasesTest.diagnose(p)) seen.add(d.code().key());
        for (String line : Files.readAllLines(TestNetworks.root().resolve("src/compiler/src/test/resources/cases/not-a-case.txt")))
            if (!line.isBlank() && !line.startsWith("#")) seen.add(line.split("\\s+")[0]);
        List<String> missing = new ArrayList<>();
        for (DiagCode c : DiagCode.values()) if (!seen.contains(c.key())) missing.add(c.key());
        assertEquals(List.of(), missing, "codes no case under src/test/resources/cases produces");
    }
}
