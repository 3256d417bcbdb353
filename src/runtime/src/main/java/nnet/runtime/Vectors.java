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
     * Read by each generated class once, as it is initialised: the module is in the boot layer and
     * neither {@code -Dnnet.vector=false} nor {@code NNET_VECTOR=false} asks for the plain kernels.
     */
    public static boolean enabled() {
        return available() && !plainAsked();
    }

    /** Whether the user asked for the plain kernels (to compare the two, or to keep a JVM without the module). */
    static boolean plainAsked() {
        return "false".equals(System.getProperty("nnet.vector")) || "false".equals(System.getenv("NNET_VECTOR"));
    }

    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }
}
