package nnet.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/** Source text for fuzz targets outside this package: generated, grammar-shaped, or the fuzzer's raw bytes. */
public final class FuzzSources {
    private FuzzSources() {}

    public static String text(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> NetworkGenerator.generate(Choices.of(data.consumeBytes(4000), 0));
            case 1 -> SourceGenerator.generate(Choices.of(data.consumeBytes(4000), 0));
            default -> data.consumeString(2000);
        };
    }
}
