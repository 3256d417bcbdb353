/**
 * The backend: a lowered {@link nnet.lower.Program} written as JVM classes with ASM.
 *
 * <h2>The grid</h2>
 * Every kernel of a program is emitted in up to four forms, and each emitter class is one cell: its
 * name is {@code <Family><Form>}. A column has a driver that makes the methods and asks the family's
 * cell for their bodies.
 * <pre>
 * family (its kernels)                    one sample          tile (32 lanes)      Vector API, tile         Vector API, one sample
 * -------------------------------------   -----------------   ------------------   ----------------------   ------------------------
 * contraction (Linear, LinearT,           ContractionSamples  ContractionTiles     ContractionVectors       ContractionSampleVectors
 *   WeightGrad)                                                                    + ContractionMicroKernels  + SparseRunVectors (sparse
 *                                                                                                           kernels of input runs)
 * conv (Conv)                             ConvSamples         ConvTiles            ConvVectors              ConvSampleVectors
 *                                                                                  + ConvMicroKernels       (body: ConvVectors; a
 *                                                                                                           dense product's:
 *                                                                                                           ConvDenseProducts)
 * pool (Pool, PoolGrad)                   PoolSamples         PoolTiles            ConvVectors (maxpool     -
 *                                                                                  gradient)
 * elementwise (Map), shared: Elementwise  ElementwiseSamples  ElementwiseTiles     ElementwiseVectors       ElementwiseVectors
 * rows (Softmax, SoftmaxGrad, Sum, Loss,  RowSamples          RowTiles             -                        -
 *   Concat, Slice, Embed)
 * runtime (Dropout, Norm, Lookup,         RuntimeKernels: one call of the runtime's Java in either plain form
 *   LookupGrad)
 * loops (Loop)                            LoopKernels: in either plain form, the body's methods called step by step
 *
 * column driver                           SampleKernels       TileKernels          VectorClass, one per row of VectorShape's table
 *                                                                                  (VectorClasses: the pair, and the network's calls)
 * </pre>
 * A plain method whose kernel has a Vector API form calls it first when the class's {@code VECTOR}
 * flag is set (the module is in the JVM); the plain form below it runs otherwise. The micro-kernels
 * of a Vector API form are methods of its class, written once per shape ({@link nnet.emit.VectorShape}).
 *
 * <h2>The frame</h2>
 * {@link nnet.emit.ClassEmitter} writes the network class: its fields, its passes ({@code run},
 * {@code backward}, {@code trainTile}, ...) calling the kernels' methods in order, and its constructor,
 * whose steps {@link nnet.emit.Registrations} writes (with {@link nnet.emit.StagedSteps} for a staged
 * train step). The fields of the generated class, names and types, are in one leaf,
 * {@link nnet.emit.Fields}; a param's follow its {@link nnet.ir.Param#layout()}. The result is a
 * {@link nnet.emit.GeneratedNetwork} (and the attribution passes, {@link nnet.emit.Explainers}).
 *
 * <h2>One dialect</h2>
 * Emitters write code through {@link nnet.emit.MethodBuilder} only: named locals, counted loops,
 * array elements and rows, and arithmetic on code that pushes its operands, over single
 * instructions ({@link nnet.emit.Bytecode}, the only holder of ASM's {@code GeneratorAdapter});
 * {@link nnet.emit.VectorOps} adds the Vector API's operations, {@link nnet.emit.ClassBuilder} makes a
 * class's fields and methods.
 *
 * <h2>The contract with the runtime</h2>
 * Every runtime method generated code calls or overrides is a method reference in
 * {@link nnet.runtime.GeneratedCode}, so javac checks it against the runtime when the runtime is
 * built, and {@link nnet.emit.Call} reads owner, name and descriptor back from the reference
 * ({@link java.lang.invoke.SerializedLambda}): no runtime method is named by a string here. References
 * were chosen over method handles (looked up by name and type strings, checked only when the compiler
 * runs) and over an interface (it would make the registration methods public on every network). The
 * few names a reference cannot give (the base class's constructor, fields, enum constants, and the
 * Vector API, which is not on the compiler's class path) are linked by the tests: every class they
 * compile is checked by {@code nnet.emit.Linkage}, which also fails on a runtime call
 * {@code GeneratedCode} does not list.
 */
package nnet.emit;
