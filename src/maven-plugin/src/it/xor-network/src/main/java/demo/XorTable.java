package demo;

import nnet.generated.Xor;

/** Code that calls a network compiled from src/main/nnet/xor.nnet as any other class. */
public final class XorTable {
    private XorTable() {}

    public static float xor(float a, float b) {
        return new Xor().forward(new float[] {a, b})[0][0];
    }
}
