package nnet.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nnet.draw.Graphviz;
import nnet.draw.NetworkDot;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "graph", description = {
        "Draws the network: a box per statement with its shape, layers, weight counts and connection density; gates and skip paths marked; block calls as clusters.",
        ".dot is written directly; .svg and .png are drawn by Graphviz's dot program, which must be installed."})
final class GraphCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "net.svg|net.png|net.dot", description = "the picture, by the extension; - writes DOT to standard output") Path output;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;

    @Override
    public Integer call() {
        String name = output.getFileName().toString().toLowerCase();
        String format = AtomicFiles.isStandardOutput(output) ? "dot" : name.substring(name.lastIndexOf('.') + 1); // -o -: DOT, for a pipe into dot or xdot
        if (!format.equals("dot") && !format.equals("svg") && !format.equals("png"))
            throw new UserError("-o " + output + ": draws .svg, .png or .dot (by the file's extension)");
        nnet.ir.Graph g = Sources.graph(file, network);
        String dot = NetworkDot.of(g);
        byte[] bytes = format.equals("dot") ? dot.getBytes(StandardCharsets.UTF_8) : Graphviz.render(dot, format, System.getProperty("nnet.dot", Graphviz.DEFAULT_PROGRAM));
        OutputFiles.write(output, out -> out.write(bytes));
        nnet.jar.Cli.wrote(output, "a picture of " + g.name());
        return 0;
    }
}
