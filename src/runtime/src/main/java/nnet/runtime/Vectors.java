package nnet.runtime;

/**
 * Whether generated networks run their tiles through the Vector API. Its module,
 * {@code jdk.incubator.vector}, is in the JVM only when asked for ({@code --add-modules
 * jdk.incubator.vector}; the launchers do); without it the plain-Java kernels run, which C2
 * vectorizes where it can. The vector kernels sit in a class of their own that is never loaded
 * then, so nothing fails for its absence.
 */
public final class Vectors {
    private Vectors() {}

    /** The module name generated code needs for its vector kernels. */
    public static final String MODULE = "jdk.incubator.vector";

    /**
     * JVM options the launchers add ({@code ./nnetc}, a jar's relaunch, {@code bench/suite}): C2
     * compiles the generated drivers and elementwise kernels ({@code k*}, {@code tile*},
     * {@code forwardTile}, {@code trainTile}) after a tenth of the usual calls. Until C2 compiles a
     * kernel its Vector API operations run as calls on boxed vectors, 10-45 times slower; a kernel
     * called once a step (a bias, a head's product, a block's remainder) otherwise needs hundreds of
     * steps to get there, and a busy machine's compiler queue more. The micro-kernels, called hundreds
     * of times a step, keep the usual thresholds: compiled in the process's first second, before the
     * JDK's own vector methods ({@code FloatVector.fma}) had type profiles, a micro-kernel's C2 code
     * kept its vector operations as virtual calls on boxed vectors for good (LeNet-5 with AVX2: 5 of 35
     * runs with every generated method scaled, 0 of 35 so; BENCHMARKS.md). The tile methods are never
     * inlined into {@code trainTile} or {@code forwardTile}: compiled after some hundred steps, such a
     * method took in every tile method, driver and micro-kernel of the step, ran into C2's inlining
     * cutoffs, and a micro-kernel's vector multiply inlined there ran boxed from then on (the gated CNN:
     * 3 MB a step from 30 s into 1 of 5 runs, JFR and -XX:+LogCompilation). {@code quiet} keeps the JVM
     * from printing the commands.
     */
    public static final java.util.List<String> JIT_OPTIONS = java.util.List.of("-XX:CompileCommand=quiet",
            sooner("k*"), sooner("tile*"), sooner("*Tile"), "-XX:CompileCommand=dontinline,nnet.generated.*::tile*");

    private static String sooner(String methods) {
        return "-XX:CompileCommand=CompileThresholdScaling,nnet.generated.*::" + methods + ",0.1";
    }

    /**
     * Read by each generated class once, as it is initialised: the module is in the boot layer and
     * neither {@code -Dnnet.vector=false} nor {@code NNET_VECTOR=false} asks for the plain kernels.
     */
    public static boolean enabled() {
        return available() && !plainAsked();
    }

    /** Whether the user asked for the plain kernels (to compare the two, or to keep a JVM without the module). */
    public static boolean plainAsked() {
        return "false".equals(System.getProperty("nnet.vector")) || "false".equals(System.getenv("NNET_VECTOR"));
    }

    /**
     * Whether the machine has 16 vector registers, for which generated networks run kernels with
     * smaller register blocks ({@code <Network>$Vector16}): x86 without 512-bit vectors (AVX2, SSE,
     * or {@code -XX:UseAVX=2}). AVX-512 and ARM (NEON, SVE) have 32. {@code -Dnnet.vector.registers=16}
     * or {@code 32} decides instead (to measure or test either form on one machine).
     *
     * @param vectorBits the length of the JVM's preferred vectors
     */
    public static boolean narrow(int vectorBits) {
        String asked = System.getProperty("nnet.vector.registers");
        if (asked != null) return asked.trim().equals("16");
        return !("aarch64".equals(System.getProperty("os.arch")) || vectorBits >= 512);
    }

    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }
}
