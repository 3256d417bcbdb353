package nnet.runtime.math;

import nnet.runtime.io.Csv;

/**
 * An embedding's kernels, called by generated code (LANGUAGE.md §10, Embeddings): a lookup of each
 * position's row by its token id, and the gradient added into the rows the batch's tokens name, each
 * row flagged in {@code touched} so the optimizer steps those rows only. Token ids are whole numbers
 * below the vocabulary's size, checked as inputs come in ({@link CompiledNetwork#checkInputs}).
 * Rows of the embeddings are padded past {@code dim} like every dense kernel's.
 */
public final class Embedding {
    private Embedding() {}

    public static void lookup(float[] tokens, float[] out, float[][] table, int dim) {
        for (int t = 0; t < tokens.length; t++) System.arraycopy(table[(int) tokens[t]], 0, out, t * dim, dim);
    }

    /** Over tile rows: {@code tokens[t][lane]}, {@code out[t * dim + j][lane]}. */
    public static void lookupTile(float[][] tokens, float[][] out, float[][] table, int dim) {
        for (int t = 0; t < tokens.length; t++) {
            float[] ids = tokens[t];
            for (int j = 0; j < dim; j++) {
                float[] o = out[t * dim + j];
                for (int s = 0; s < ids.length; s++) o[s] = table[(int) ids[s]][j];
            }
        }
    }

    public static void gradient(float[] tokens, float[] dy, float[][] grad, boolean[] touched, int dim) {
        for (int t = 0; t < tokens.length; t++) {
            int row = (int) tokens[t];
            float[] g = grad[row];
            for (int j = 0; j < dim; j++) g[j] += dy[t * dim + j];
            touched[row] = true;
        }
    }

    /** Over tile rows, lanes {@code [0, count)}: the lanes past the batch's end repeat a sample and add nothing. */
    public static void gradientTile(float[][] tokens, float[][] dy, float[][] grad, boolean[] touched, int dim, int count) {
        for (int t = 0; t < tokens.length; t++)
            for (int s = 0; s < count; s++) {
                int row = (int) tokens[t][s];
                float[] g = grad[row];
                for (int j = 0; j < dim; j++) g[j] += dy[t * dim + j][s];
                touched[row] = true;
            }
    }

    /** Checks that every value of input {@code what} is a token id: an error naming the position otherwise. */
    public static void checkTokens(String what, float[] values, int vocabulary) {
        for (int i = 0; i < values.length; i++) {
            String problem = notAToken(values[i], vocabulary);
            if (problem != null) throw new IllegalArgumentException("input " + what + ", position " + i + ": " + problem);
        }
    }

    /** The message for a value that is not a token id of a vocabulary of {@code vocabulary} rows, or null for one that is. */
    public static String notAToken(float v, int vocabulary) {
        if (v == Math.rint(v) && v >= 0 && v < vocabulary) return null;
        return Csv.format(v) + " is not a token id: the embedding's vocabulary has " + vocabulary + " rows, so a token is a whole number from 0 to " + (vocabulary - 1);
    }
}
