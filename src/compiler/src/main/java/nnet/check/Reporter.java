package nnet.check;

import nnet.diag.DiagCode;
import nnet.diag.Span;

/** Where the checker's helpers report errors; the network checker adds block call sites as notes. */
interface Reporter {
    void error(DiagCode code, Span span, String message);
}
