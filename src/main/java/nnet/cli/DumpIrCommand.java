package nnet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.ir.IrPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "dump-ir", description = "Prints the IR of every network of FILE: params, then one line per node with its shape and source line.")
final class DumpIrCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;

    @Override
    public Integer call() {
        for (Graph g : Sources.graphs(file)) System.out.print(IrPrinter.print(g));
        return 0;
    }
}
