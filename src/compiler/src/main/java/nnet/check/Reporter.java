package nnet.check;

import java.util.List;
import nnet.diag.DiagCode;
import nnet.diag.Fix;
import nnet.diag.Span;

/** Where the checker's helpers report errors; the network checker adds block call sites as notes. */
interface Reporter {
    /** An error with the changes that would fix it (a did-you-mean, a transposed literal). */
    void error(DiagCode code, Span span, String message, List<Fix> fixes);

    default void error(DiagCode code, Span span, String message) {
        error(code, span, message, List.of());
    }
}
