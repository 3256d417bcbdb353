package nnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void anArgumentTheOptimizerDoesNotTakeIsAnErrorNotIgnored() {
        UserError e = assertThrows(UserError.class, () -> Optimizer.of("adam", Map.of("momentum", 0.9)));
        assertEquals("adam has no argument 'momentum' (it takes lr, beta1, beta2, eps)", e.getMessage());
        e = assertThrows(UserError.class, () -> Optimizer.of("sgd", Map.of("lr", 0.1, "momentun", 0.9)));
        assertEquals("sgd has no argument 'momentun'; did you mean 'momentum'? (it takes lr, momentum)", e.getMessage());
        assertThrows(UserError.class, () -> Optimizer.of("adam", Map.of("weight_decay", 0.1)), "weight_decay is adamw's");
        assertEquals(0.1, Optimizer.of("adamw", Map.of("lr", 0.1, "weight_decay", 0.1)).learningRate());
    }
}
