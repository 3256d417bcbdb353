package nnet.parse;

import java.util.Set;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Token;

/**
 * ANTLR's recovery, except that it never deletes a word that starts a statement or declaration:
 * after {@code h = x *} the parser must not swallow the next line's {@code output} and read
 * {@code output h} as the missing operand. Recovery then resumes at that statement.
 */
final class StatementRecovery extends DefaultErrorStrategy {
    private static final Set<String> STARTS = Set.of("network", "block", "const", "input", "output", "loss", "train", "return");

    @Override
    protected Token singleTokenDeletion(org.antlr.v4.runtime.Parser recognizer) {
        if (STARTS.contains(recognizer.getCurrentToken().getText())) return null;
        return super.singleTokenDeletion(recognizer);
    }
}
