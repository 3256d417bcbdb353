package nnet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.io.Csv;
import nnet.runtime.math.LrSchedule;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.io.RowSource;
import nnet.runtime.jar.PredictOutput;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", description = {
        "Trains a network on CSV rows with its generated backward pass and writes the weights.",
        "Settings default to the file's train { } block; the weights file is rewritten atomically after every epoch (a checkpoint)."})
final class TrainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input (an .npz gives each input its array of that name)") List<String> inputs;
    @Option(names = "--target", required = true, paramLabel = "T.csv", description = "one row per input row, shaped like the loss's output, or one class index per row under cross_entropy (.csv, .npy, or the array 'target' or only array of an .npz); with several losses, name=T.csv for each loss's output, or one file for every loss not named") List<String> targets;
    @Option(names = "--weights", paramLabel = "W0.safetensors", description = "start from these weights (default: initialised with --seed)") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--epochs", description = "passes over the data (default: the train block's, else 10)") Integer epochs;
    @Option(names = "--batch", description = "samples per step (default: the train block's, else 32)") Integer batch;
    @Option(names = "--optimizer", description = "sgd, adam or adamw (default: the train block's, else adam)") String optimizer;
    @Option(names = "--lr", paramLabel = "LR|SCHEDULE", description = "learning rate: a number, or step(0.01, every: 10, factor: 0.5), cosine(0.01, min: 0.0001), warmup(STEPS, LR|SCHEDULE) (default: the train block's, else the optimizer's)") String lr;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the initial weights, of the shuffling and of --validation-split (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--validation", paramLabel = "X.csv,T.csv", description = "held-out rows, evaluated after every epoch: inputs then target, comma-separated (name=X.csv for each of several inputs; .npy and .npz too)") String validation;
    @Option(names = "--validation-split", paramLabel = "FRACTION", description = "hold out this fraction of the rows (drawn from --seed before any shuffling) instead of --validation") Double validationSplit;
    @Option(names = "--early-stopping", paramLabel = "PATIENCE", description = "stop when the held-out loss (or --monitor's figure) has not improved for this many epochs; -o keeps the best epoch's weights") Integer patience;
    @Option(names = "--monitor", paramLabel = "FIGURE", description = "what --early-stopping watches: val_loss (the default), or any figure of the log: val_auc, val_accuracy, val_r2, val_y1_loss, auc, ... (each in its direction: losses down, the others up)") String monitorName;
    @Option(names = "--sample-weights", paramLabel = "W.csv", description = "a weight per input row (per --rows row), multiplying its loss (Keras' sample_weight; the mean stays over the rows); a table's column as TABLE:COLUMN; held-out rows take theirs as sample_weights=W.csv in --validation") String sampleWeights;
    @Option(names = "--log", paramLabel = "loss.csv", description = "one CSV row per epoch: epoch, step, loss, val_loss, val_accuracy, lr, samples_per_s, then seconds, the penalties, and every figure of the training and held-out rows (accuracy, auc, ..., val_auc, ...; each head's with several losses)") Path log;
    @Option(names = "--plot", paramLabel = "loss.png", description = "draw the loss of each epoch (training and held-out rows, each head's with several losses) and the run's figure (accuracy, R², or --monitor's) to this PNG (or SVG, by the extension), the kept epoch marked") Path plot;
    @Option(names = "--quiet", description = "no progress bar and no line per epoch") boolean quiet;
    @Option(names = "--no-shuffle", description = "train on the rows in file order every epoch (default: shuffled each epoch from --seed)") boolean noShuffle;
    @Option(names = "--resume", paramLabel = "W.safetensors", description = "go on with the run that wrote W.safetensors (an earlier -o): its weights, optimizer state and epochs,"
            + " saved beside it as W.resume.safetensors; --epochs is the total, so 3 epochs then --resume with --epochs 5 equals 5 epochs") Path resume;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @picocli.CommandLine.Mixin SparseWeightsOption sparseWeights;
    @picocli.CommandLine.Mixin RowOptions rowOptions;
    @Option(names = "--stream", description = "read the inputs from their files as training goes, a window of rows in memory, instead of whole: for files larger than memory (.npy, HDF5). Shuffles the files' blocks, then rows within windows (--shuffle-window)") boolean stream;
    @Option(names = "--shuffle-window", paramLabel = "ROWS", description = "with --stream: rows shuffled together, and kept in memory (default: as many as 128 MB of the files' rows hold, at least a block)") Integer shuffleWindow;
    /** How the weights are written after each epoch. */
    private SparseWeights layout;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "W.safetensors",
            description = "where to write the weights, after every epoch (- for standard output: once, at the end)") Path output;

    /** The files read, closed when the command ends (tests run commands in one process). */
    private final List<AutoCloseable> opened = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try {
            return train();
        } finally {
            for (AutoCloseable c : opened) c.close();
        }
    }

    private int train() {
        checkFlags();
        Graph g = Sources.trainable(file, network);
        layout = sparseWeights.layoutFor(g); // before any work: a run must not fail at its end
        Graph.TrainSettings d = g.train();
        int nEpochs = positive("--epochs", epochs != null ? epochs : d.epochs());
        int batchLimit = positive("--batch", batch != null ? batch : d.batch());
        LrSchedule schedule = lr != null ? LrSchedule.parse(lr) : d.schedule();
        Map<String, Double> args = new LinkedHashMap<>(d.optimizerArgs());
        if (schedule != null) args.put("lr", schedule.base());
        String optimizerName = (optimizer != null ? optimizer : d.optimizer()).toLowerCase(java.util.Locale.ROOT);
        Optimizer opt = Optimizer.of(optimizerName, args);
        Network net = Sources.instantiate(g, MemoryNeeds.Use.TRAINING, opt.stateValuesPerWeight(), "train");
        TrainState resumed = resume == null ? null : TrainState.read(resume);
        if (resumed == null) Sources.loadWeights(net, g, weights, seed, nonFinite);
        else net.loadWeights(resumed.weights());
        TrainingData data = TrainingData.read(net, g.inputLayouts(), inputs, targets, sampleWeights, rowOptions), heldOut = null;
        opened.add(data.inputs());
        RowSelection.Part[] parts = rowOptions.parts(data.rows());
        if (parts != null) { // GenNet's set column: train on 1, hold out 2, leave 3 to evaluate
            heldOut = RowSelection.of(parts, RowSelection.Part.VAL).length == 0 ? null : data.rows(RowSelection.of(parts, RowSelection.Part.VAL)).inFileOrder();
            data = data.rows(RowSelection.of(parts, RowSelection.Part.TRAIN));
            if (data.rows() == 0) throw new UserError("--split " + rowOptions.split + " has no rows to train on (train=... of --split-codes " + rowOptions.codes + ")");
            if (heldOut == null && patience != null && (monitorName == null || monitorName.startsWith("val_")))
                throw new UserError("--split " + rowOptions.split + " has no validation rows (val=... of --split-codes " + rowOptions.codes + "), and --early-stopping watches "
                        + (monitorName == null ? "the held-out loss" : monitorName));
        } else if (validation != null) {
            heldOut = readValidation(net, g.inputLayouts());
            opened.add(heldOut.inputs());
        } else if (validationSplit != null) {
            TrainingData.Split split = data.split(validationSplit, seed);
            data = split.training();
            heldOut = split.heldOut();
        }
        int window = window(data);
        StreamOrder streamed = stream ? new StreamOrder(data.inputs(), window) : null;
        if (stream) data.inputs().keepRows(window); // a window's blocks, each read once an epoch
        if (!stream) keepWhole(data);
        if (!stream && heldOut != null && heldOut.inputs().sources() != data.inputs().sources()) keepWhole(heldOut);
        int batchSize = Math.min(batchLimit, data.rows());
        if (data.rows() % batchSize == 1 && g.nodes().stream().anyMatch(n -> nnet.ir.Op.BATCH_COUPLED.contains(n.op())))
            throw new UserError("the last batch of each epoch would hold 1 row (" + data.rows() + " rows in batches of " + batchSize + "), and " + g.name()
                    + " has a batchnorm, which normalizes by the statistics of a batch of 2 or more rows: choose another --batch");
        MemoryNeeds.check(g, MemoryNeeds.Use.TRAINING, opt.stateValuesPerWeight(), batchSize, "train"); // now with the batch a batchnorm's step holds
        net.setOptimizer(opt);
        // the figures each side will have: the log's columns and what --monitor may watch, known before any step
        Evaluation trainingFigures = Evaluation.figuresOf(net, data), heldOutFigures = heldOut == null ? null : Evaluation.figuresOf(net, heldOut);
        Monitor monitor = monitorName == null ? Monitor.DEFAULT : Monitor.of(monitorName, trainingFigures, heldOutFigures);
        PredictOutput.LossOutputs outputs = nnet.pack.JarPackager.facts(g).lossOutputs();
        // what a resumed run must keep to go on as the first would have (the learning rate may change), and what early stopping's best figure is of
        Map<String, Double> kept = new LinkedHashMap<>(args);
        kept.remove("lr");
        String settings = g.name() + ": seed " + seed + ", batch " + batchSize + ", " + data.rows() + " training rows, "
                + (noShuffle ? "in file order" : stream ? "streamed in windows of " + window + " rows" : "shuffled") + ", " + optimizerName + " " + kept
                + (monitorName == null ? "" : ", monitor " + monitor.name());
        net.seed(seed); // dropout's masks: a seeded run is reproducible (a resumed one goes on from its step count, below)
        if (resumed != null) {
            resumeChecks(resumed, settings, nEpochs, net);
            System.err.println("resuming " + g.name() + " after epoch " + resumed.epochs() + " (" + TrainState.beside(resume) + ")");
        }

        // with -o -, standard output holds the weights file and nothing else
        PrintStream report = AtomicFiles.isStandardOutput(output) ? System.err : System.out;
        EpochLoop.Result r;
        EpochLoop loop;
        try (Progress progress = quiet ? Progress.none() : Progress.choose(g.name(), (long) nEpochs * data.rows(), System.err)) {
            loop = new EpochLoop(net, data, heldOut, nEpochs, batchSize, patience == null ? 0 : patience, seed,
                    schedule, opt, output, layout, log == null ? null : new TrainLog(log, trainingFigures, heldOutFigures, hasPenalties(g)), progress, outputs, monitor)
                    .inFileOrder(noShuffle).resumeFrom(resumed).streamed(streamed);
            if (!AtomicFiles.isStandardOutput(output)) loop.keepState(TrainState.beside(output), settings);
            r = loop.run();
        }
        if (AtomicFiles.isStandardOutput(output)) Safetensors.write(output, net.saveWeights(layout));
        if (plot != null)
            LossPlot.write(plot, loop.history, patience == null ? 0 : r.kept(), g.name(), String.join(" + ", g.losses().stream().map(l -> term(g, l)).toList()),
                    patience == null ? null : monitor.name());
        report.println("trained " + g.name() + ": " + nnet.jar.Cli.count(r.epochsRun(), "epoch") + " of " + nnet.jar.Cli.count(data.rows(), "row") + ", batch " + batchSize
                + "; mean loss of the last epoch " + Csv.format(r.lastEpochLoss()));
        if (r.stoppedEarly())
            report.println("stopped early: " + (monitor == Monitor.DEFAULT ? "the held-out loss" : monitor.name()) + " had not improved for " + nnet.jar.Cli.count(patience, "epoch"));
        if (patience != null) report.println("kept epoch " + r.kept() + ", the one with " + monitor.describe());
        // a streamed run does not read its files once more for this: the figures of the last epoch's steps
        Evaluation train = stream ? loop.history.get(loop.history.size() - 1).training() : Evaluation.figures(net, data, outputs);
        if (train.hasAccuracy())
            report.println("accuracy on the training rows" + (stream ? " (as the last epoch's steps predicted them)" : "") + ": " + train.accuracyText());
        if (r.heldOut() != null)
            report.println("held-out rows: loss " + String.format(java.util.Locale.ROOT, "%.4g", r.heldOut().loss())
                    + (r.heldOut().hasAccuracy() ? ", accuracy " + r.heldOut().accuracyText() : "")
                    + String.join("", r.heldOut().metricNames().stream().filter(m -> m.equals("auc") || m.equals("r2"))
                            .map(m -> String.format(java.util.Locale.ROOT, ", %s %.4g", m, r.heldOut().metric(m))).toList()));
        nnet.jar.Cli.wrote(output, "the weights of epoch " + r.kept());
        return 0;
    }

    /** Flags that contradict each other, before any work. */
    private void checkFlags() {
        if (validation != null && validationSplit != null) throw new UserError("give --validation or --validation-split, not both");
        if (resume != null && weights != null) throw new UserError("give --resume (go on with a run) or --weights (start a new run from these weights), not both");
        if (validationSplit != null && !(validationSplit > 0 && validationSplit < 1))
            throw new UserError("--validation-split is the fraction of rows held out, between 0 and 1 (e.g. 0.2), got " + validationSplit);
        if (patience != null && patience < 1) throw new UserError("--early-stopping must be at least 1 epoch, got " + patience);
        boolean watchesHeldOut = monitorName == null || monitorName.startsWith("val_");
        if (patience != null && watchesHeldOut && validation == null && validationSplit == null && rowOptions.split == null)
            throw new UserError("--early-stopping watches the held-out loss: give --validation X.csv,T.csv, --validation-split 0.2 or --split TABLE:COLUMN");
        if (monitorName != null && patience == null) throw new UserError("--monitor says what --early-stopping watches: give --early-stopping PATIENCE too");
        if (log != null && AtomicFiles.isStandardOutput(log)) throw new UserError("--log needs a file (it is rewritten after every epoch)");
        // every file the run writes, before its first step: a path that cannot be written must not cost the training
        for (Path p : new Path[] {output, log, plot}) if (p != null) AtomicFiles.checkWritable(p);
        if (plot != null && !List.of("png", "svg").contains(extension(plot)))
            throw new UserError("--plot " + plot + ": draws .png or .svg (by the file's extension)");
        if (rowOptions.split != null && (validation != null || validationSplit != null))
            throw new UserError("--split holds rows out by its val code: give --split or --validation/--validation-split, not both");
        if (shuffleWindow != null && !stream) throw new UserError("--shuffle-window is the window of --stream's shuffle: give --stream too");
        if (shuffleWindow != null && shuffleWindow < 1) throw new UserError("--shuffle-window must be at least 1 row, got " + shuffleWindow);
    }

    /** A run goes on only as it was: same settings, more epochs to run; the optimizer takes its state. */
    private static void resumeChecks(TrainState s, String settings, int epochs, Network net) {
        if (!s.settings().equals(settings))
            throw new UserError("--resume: the run being resumed was " + s.settings() + "; this one would be " + settings
                    + ". Give the same settings to go on with it, or start a new run from its weights with --weights");
        if (epochs <= s.epochs())
            throw new UserError("--resume: that run has done " + nnet.jar.Cli.count(s.epochs(), "epoch") + " already; --epochs is the total: give more than " + s.epochs());
        net.loadOptimizerState(s.optimizer(), s.steps());
    }

    /** Bytes of the files' rows that {@code --stream} keeps by default (at most a quarter of the heap): a window this size, shuffled. */
    static final long WINDOW_BYTES = 128L << 20;

    /**
     * {@code --shuffle-window}, or as many rows as {@link #WINDOW_BYTES} hold, or a quarter of the
     * heap if that is less (at least the widest file's block).
     */
    private int window(TrainingData data) {
        if (shuffleWindow != null) return shuffleWindow;
        int block = data.inputs().sources().stream().mapToInt(RowSource::blockRows).max().orElse(1);
        long bytes = Math.min(WINDOW_BYTES, Runtime.getRuntime().maxMemory() / 4);
        return (int) Math.max(block, Math.min(data.rows(), bytes / Math.max(1, data.inputs().rowBytes())));
    }

    /**
     * Without {@code --stream} every row is kept once read (in the files' dtypes: a uint8 genotype
     * a byte a value), so the rows can be shuffled freely; refused, before any work, when that
     * would not fit in the heap.
     */
    private void keepWhole(TrainingData data) {
        long bytes = 0; // of the rows in use (with --rows, a part of the files)
        for (RowSource s : data.inputs().sources()) if (s instanceof nnet.runtime.io.BlockRows) bytes += (long) Math.min(s.rows(), data.rows()) * s.rowBytes();
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max / 2)
            throw new UserError("the inputs hold " + megabytes(bytes) + ", more than half of what this Java VM may use (" + megabytes(max)
                    + "): train --stream reads them from their files a window of rows at a time (or give the VM more, e.g. JAVA_TOOL_OPTIONS=-Xmx"
                    + ((long) Math.ceil(bytes * 2.5 / (1L << 30)) + 1) + "g)");
        data.inputs().keepRows(data.inputs().fileRows());
    }

    private static String megabytes(long bytes) {
        return bytes < 1L << 30 ? (bytes >> 20) + " MB" : nnet.jar.Cli.gigabytes(bytes);
    }

    /** Whether the network has weight or activity penalties (the log's penalty columns). */
    private static boolean hasPenalties(Graph g) {
        return !g.activities().isEmpty() || g.params().stream().anyMatch(p -> p.penalty() != null);
    }

    /** The plot's title's term for a loss: {@code mse}, or with several {@code y1: mse * 0.5}. */
    private static String term(Graph g, Graph.Loss l) {
        return (g.losses().size() > 1 ? g.nameOf(l.output()) + ": " : "") + l.function() + (l.weight() == 1 ? "" : " * " + Csv.format((float) l.weight()));
    }

    /**
     * {@code --validation X.csv,T.csv} or {@code a=A.csv,b=B.csv,T.csv}: parts named after a loss's
     * output are targets ({@code X.csv,y1=T1.csv,y2=T2.csv}); of the others, every part but the last
     * is an input and the last the target, unless named targets cover every loss. A part
     * {@code sample_weights=W.csv} gives the held-out rows' weights (Keras' {@code validation_data}'s third).
     */
    private TrainingData readValidation(Network net, nnet.runtime.io.InputLayouts layouts) {
        List<String> parts = new ArrayList<>(List.of(validation.split(",")));
        parts.replaceAll(String::strip);
        parts.removeIf(String::isBlank);
        String weightsPart = parts.stream().filter(p -> p.startsWith(HELD_OUT_WEIGHTS) && !net.inputNames().contains("sample_weights")).findFirst().orElse(null);
        if (weightsPart != null) parts.remove(weightsPart);
        List<String> lossOutputs = net.losses().stream().map(Network.Loss::output).toList();
        List<String> targetParts = new ArrayList<>(parts.stream().filter(p -> p.indexOf('=') > 0 && lossOutputs.contains(p.substring(0, p.indexOf('=')))).toList());
        parts.removeAll(targetParts);
        if (targetParts.size() < lossOutputs.size() && !parts.isEmpty()) targetParts.add(parts.remove(parts.size() - 1));
        if (parts.isEmpty() || targetParts.isEmpty())
            throw new UserError("--validation " + validation + ": expected the inputs and then the target, comma-separated (X.csv,T.csv, or a=A.csv,b=B.csv,T.csv)");
        return TrainingData.read(net, layouts, parts, targetParts, weightsPart == null ? null : weightsPart.substring(HELD_OUT_WEIGHTS.length()));
    }

    private static String extension(Path p) {
        String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static final String HELD_OUT_WEIGHTS = "sample_weights=";

    private static int positive(String flag, int v) {
        if (v < 1) throw new UserError(flag + " must be at least 1, got " + v);
        return v;
    }
}
