package nnet.cli;

import java.util.List;
import nnet.diag.Diagnostic;
import nnet.diag.Span;

/** The {@code check --json} format: one object per diagnostic, stable keys for tools; a fix replaces the text of its place. */
final class Json {
    private Json() {}

    static String diagnostics(List<Diagnostic> ds) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ds.size(); i++) {
            Diagnostic d = ds.get(i);
            if (i > 0) sb.append(',');
            sb.append("\n  {\"severity\": ").append(str(d.severity().word())).append(", \"code\": ").append(str(d.code().key())).append(", ");
            span(sb, d.span());
            sb.append(", \"message\": ").append(str(d.message())).append(", \"notes\": [");
            for (int k = 0; k < d.notes().size(); k++) {
                if (k > 0) sb.append(", ");
                sb.append('{');
                span(sb, d.notes().get(k).span());
                sb.append(", \"message\": ").append(str(d.notes().get(k).message())).append('}');
            }
            sb.append("], \"fixes\": [");
            for (int k = 0; k < d.fixes().size(); k++) {
                if (k > 0) sb.append(", ");
                sb.append("{\"title\": ").append(str(d.fixes().get(k).title())).append(", ");
                span(sb, d.fixes().get(k).span());
                sb.append(", \"replacement\": ").append(str(d.fixes().get(k).replacement())).append('}');
            }
            sb.append("]}");
        }
        return sb.append(ds.isEmpty() ? "]" : "\n]").toString();
    }

    private static void span(StringBuilder sb, Span s) {
        sb.append("\"file\": ").append(str(s.file())).append(", \"line\": ").append(s.line()).append(", \"col\": ").append(s.col())
                .append(", \"length\": ").append(s.length());
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
