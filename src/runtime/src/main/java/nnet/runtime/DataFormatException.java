package nnet.runtime;

/**
 * A user's file (CSV, safetensors) is malformed or does not fit the network. The message names the
 * file and the place (row and column, or tensor) and is shown to the user as is, without a stack trace.
 */
public final class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
