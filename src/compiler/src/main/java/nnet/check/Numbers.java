package nnet.check;

/** Numbers in messages as the user wrote them: {@code 2}, not {@code 2.0}. */
final class Numbers {
    private Numbers() {}

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
