package nnet;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Small networks with lstm layers, for every option: shared by the differential, gradient and training tests. */
public final class LstmNetworks {
    private LstmNetworks() {}

    public static Stream<Arguments> networks() {
        return Stream.of(
                net("lstm_last_state", "input seq[5, 3]\n h = lstm(seq, 4)\n output h"),
                net("lstm_sequences_then_dense", "input seq[4, 3]\n s = lstm(seq, 3, sequences: true)\n y = dense(s, 2)\n output y"),
                net("lstm_masked_input_and_recurrent", "input seq[4, 5]\n h = lstm(seq, 4, connect: random(0.5, seed: 2), recurrent: band(1))\n output h"),
                net("lstm_after_dense_no_bias", "input seq[3, 4]\n e = dense(seq, 3, tanh)\n h = lstm(e, 2, bias: false)\n y = dense(h, 2)\n output y"),
                net("lstm_one_step_sequences", "input seq[1, 3]\n s = lstm(seq, 2, sequences: true)\n output s"));
    }

    private static Arguments net(String name, String body) {
        return Arguments.of(name, "network T {\n " + body + "\n}\n");
    }
}
