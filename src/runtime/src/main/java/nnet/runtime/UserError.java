package nnet.runtime;

/** A mistake in how a command was used (a missing file, a name that does not exist): printed, exit 1, no stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
