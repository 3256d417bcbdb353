package nnet.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nnet.TestNetworks;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with a real editor: headless Neovim starts {@code nnetc lsp} as a separate process
 * (this test's class path, {@code nnet.cli.Main lsp}) with the README's setup for Neovim 0.7 (Debian
 * 12's; it has no {@code vim.lsp.start}), opens a file with a wrong gate, and writes down the
 * diagnostics it shows and a hover; applies a quick fix, formats and renames in another.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS) // a hung server fails its test instead of stalling the build
class NeovimTest {
    /** How the README starts the server; the test starts it from its own class path instead. */
    private static final String README_COMMAND = "{ '/path/to/nnet/nnetc', 'lsp' }";

    @TempDir
    Path dir;

    @Test
    void neovimShowsTheGateShapeError() throws Exception {
        List<String> lines = runNeovim(Sources.WRONG_GATE, """
                if vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
                  for _, d in ipairs(vim.diagnostic.get(buf)) do
                    out:write(string.format('diagnostic %d:%d: %s\\n', d.lnum + 1, d.col + 1, d.message))
                  end
                else
                  out:write('no diagnostics within 60 s\\n')
                end
                local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 4, character = 20 } }
                local replies = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 20000) or {}
                for _, r in pairs(replies) do
                  if r.result then out:write('hover ' .. r.result.contents.value:gsub('\\n', ' ') .. '\\n') end
                end
                """);
        assertEquals("diagnostic 5:24: gate needs g of h's shape or [1]: h is [4], g is [3]", lines.get(0), String.join("\n", lines));
        assertTrue(lines.size() > 1 && lines.get(1).startsWith("hover ") && lines.get(1).contains("h: [4]"), String.join("\n", lines));
    }

    /** The quick fix of a misspelt activation applied, the file formatted (0.7's formatting_sync) and a node renamed (the README's key maps' functions). */
    @Test
    void neovimAppliesAQuickFixFormatsAndRenames() throws Exception {
        String typo = "network N {\n  input x[4]\n  h=dense(x,4,rellu)\n  y = dense(h, 2)\n  output y\n}\n";
        List<String> lines = runNeovim(typo, """
                vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
                local d = vim.diagnostic.get(buf)[1]
                local range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } }
                local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, range = range, context = { diagnostics = {} } }
                for _, r in pairs(vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 20000) or {}) do
                  for _, action in ipairs(r.result or {}) do
                    if action.isPreferred then
                      out:write('quick fix ' .. action.title .. '\\n')
                      vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
                    end
                  end
                end
                vim.lsp.buf.formatting_sync(nil, 20000)
                vim.api.nvim_win_set_cursor(0, { 3, 2 })
                vim.lsp.buf.rename('hidden')
                vim.wait(20000, function() return vim.api.nvim_buf_get_lines(buf, 3, 4, false)[1]:find('hidden') ~= nil end, 50)
                for _, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do out:write('line ' .. l .. '\\n') end
                """);
        assertEquals(List.of("quick fix Change to 'relu'", "line network N {", "line   input x[4]", "line   hidden = dense(x, 4, relu)",
                "line   y = dense(hidden, 2)", "line   output y", "line }"), lines);
    }

    /** Runs {@code body} in headless Neovim with the README's setup, the file {@code text} open as {@code buf}; what it writes to {@code out}, by line. */
    private List<String> runNeovim(String text, String body) throws Exception {
        requireNeovim();
        Path source = dir.resolve("gated.nnet");
        Files.writeString(source, text);
        Path result = dir.resolve("result.txt");
        Path log = dir.resolve("server.log");
        Path script = dir.resolve("test.lua");
        String serverCommand = "{ " + lua(javaExecutable()) + ", '-cp', " + lua(classPath()) + ", 'nnet.cli.Main', 'lsp' }";
        Files.writeString(script, readmeSetupFor07().replace(README_COMMAND, serverCommand)
                + "local out = io.open(" + lua(result.toString()) + ", 'w')\n"
                + "vim.cmd('edit ' .. vim.fn.fnameescape(" + lua(source.toString()) + "))\n"
                + "local buf = vim.api.nvim_get_current_buf()\n"
                + body + """
                out:close()
                local clients = vim.lsp.get_active_clients()
                vim.lsp.stop_client(clients)
                vim.wait(5000, function() for _, c in ipairs(clients) do if not c.is_stopped() then return false end end return true end, 50)
                vim.cmd('qa!')
                """);
        Process nvim = new ProcessBuilder("nvim", "--headless", "--clean", "-c", "luafile " + script, "-c", "cquit")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        // the script quits by itself; "cquit" runs only when it failed, so that nvim does not wait for input
        if (!nvim.waitFor(120, TimeUnit.SECONDS)) {
            nvim.destroyForcibly();
            fail("nvim did not finish in 120 s; its output: " + Files.readString(log));
        }
        assertTrue(Files.exists(result), "nvim wrote no result; its output: " + Files.readString(log));
        return Files.readAllLines(result);
    }

    /** The README's setup for Neovim 0.7, so the documented snippet is the one tested. */
    private static String readmeSetupFor07() throws IOException {
        String readme = Files.readString(TestNetworks.root().resolve("README.md"));
        for (String block : readme.split("```lua\n"))
            if (block.contains("vim.lsp.start_client")) {
                String snippet = block.substring(0, block.indexOf("```"));
                assertTrue(snippet.contains(README_COMMAND), "the README's snippet no longer runs " + README_COMMAND + ":\n" + snippet);
                return snippet;
            }
        return fail("README.md has no Neovim 0.7 snippet (a lua block with vim.lsp.start_client)");
    }

    /** CI installs Neovim (.ci/run), so there a missing nvim fails the build; elsewhere the test is skipped with the reason. */
    private static void requireNeovim() throws InterruptedException {
        boolean found;
        try {
            found = new ProcessBuilder("nvim", "--version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            found = false;
        }
        if (found) return;
        if ("true".equals(System.getenv("CI"))) fail("nvim is not installed; .ci/run installs it (apt-get install neovim)");
        Assumptions.abort("nvim is not installed: apt-get install neovim to run the editor test");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Surefire runs tests from a manifest-only jar; the real class path is in its own property. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    /** A Lua string literal (long brackets need no escaping). */
    private static String lua(String s) {
        if (s.contains("]==]")) throw new IllegalArgumentException(s);
        return "[==[" + s + "]==]";
    }
}
