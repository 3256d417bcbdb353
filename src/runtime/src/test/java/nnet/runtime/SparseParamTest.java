package nnet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class SparseParamTest {
    /** Units by their inputs (column order): 0 {0, 1}, 1 {2}, 2 {0, 1}, 3 none, 4 {0, 1}, 5 {2}, 6 {0, 1, 2}. */
    private static final int[] COL_START = {0, 2, 3, 5, 5, 7, 8, 11};
    private static final int[] ROW_INDEX = {0, 1, 2, 0, 1, 0, 1, 2, 0, 1, 2};

    @Test
    void unitsOfTheSameInputsPairUpInOrderAndTheRestFollowOnce() {
        // 0 and 2 pair, then 1 and 5; 4 waits for a third {0, 1} that never comes; 3 (no inputs) and 6 are single
        assertArrayEquals(new int[] {2, 0, 2, 1, 5, 3, 4, 6}, SparseParam.twins(COL_START, ROW_INDEX));
    }

    @Test
    void aSubsetOrAPrefixOfAnotherUnitsInputsIsNotTheSame() {
        int[] colStart = {0, 2, 3, 5}, rowIndex = {0, 1, 0, 0, 2}; // {0, 1}, {0}, {0, 2}
        assertArrayEquals(new int[] {0, 0, 1, 2}, SparseParam.twins(colStart, rowIndex));
    }

    @Test
    void fourGatesOfAUnitMakeTwoPairs() {
        int[] colStart = {0, 1, 2, 3, 4}, rowIndex = {3, 3, 3, 3};
        assertArrayEquals(new int[] {2, 0, 1, 2, 3}, SparseParam.twins(colStart, rowIndex));
    }
}
