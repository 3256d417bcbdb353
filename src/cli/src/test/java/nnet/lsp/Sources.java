package nnet.lsp;

/** The .nnet texts the language server tests open; line numbers in the comments are 0-based, as the protocol counts. */
final class Sources {
    private Sources() {}

    /** The gate on line 4 gets g of shape [3] for h of shape [4]: one shape.mismatch at 4:23 (the g). */
    static final String WRONG_GATE = """
            network Gated {
              input x[4]
              h = dense(x, 4, relu)
              g = dense(x, 3, sigmoid)
              next, skip = gate(h, g)
              y = dense(next, 4) + skip
              output y
            }
            """;

    /** A block called twice, a const, a masked layer (6 of 8 connections). No errors. */
    static final String DEEP = """
            block residual(x, n) {
              h = dense(x, n, relu)
              return dense(h, n) + x
            }
            network Deep {
              const N = 4
              input x[N]
              m = dense(x, 2, connect: mask [[1, 1], [1, 0], [0, 1], [1, 1]])
              r1 = residual(x, N)
              r2 = residual(r1, N)
              y = dense(r2, 2) + m
              output y
            }
            """;

    /** A network of about 200 lines: a chain of layers, each read by the next. */
    static String longNetwork(int layers) {
        StringBuilder sb = new StringBuilder("network Long {\n  input x[16]\n  h0 = dense(x, 16, relu)\n");
        for (int i = 1; i < layers; i++)
            sb.append("  h").append(i).append(" = dense(h").append(i - 1).append(", 16, ").append(i % 2 == 0 ? "relu" : "tanh, connect: band(2)").append(")\n");
        return sb.append("  output h").append(layers - 1).append("\n}\n").toString();
    }
}
