package nnet.lsp;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The server's log on standard error (standard output carries the protocol), where editors show
 * it. A client's malformed message is one line, not lsp4j's stack trace; a stack trace is printed
 * only for an internal error of this server, where it is what a bug report needs.
 */
public final class ServerLog {
    private ServerLog() {}

    public static void toStandardError() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        Handler handler = new ConsoleHandler(); // writes to System.err
        handler.setFormatter(new LineFormatter());
        root.addHandler(handler);
    }

    private static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder("nnet-lsp ").append(r.getLevel()).append(": ").append(formatMessage(r));
            // lsp4j's messages already name the exception; its trace would only show lsp4j's reader
            boolean ours = r.getLoggerName() != null && r.getLoggerName().startsWith("nnet.");
            if (r.getThrown() != null && ours) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                sb.append('\n').append(trace.toString().stripTrailing());
            }
            return sb.append(System.lineSeparator()).toString();
        }
    }
}
