package nnet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import nnet.Compiler;
import nnet.ir.Graph;
import nnet.ir.IrPrinter;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dump-ir", description = "Prints the IR of every network of FILE: params, then one line per node with its shape and source line.")
final class DumpIrCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--backward", description = "as differentiated (an lstm as its time steps), with the derived backward pass of the network's loss appended") boolean backward;

    @Override
    public Integer call() {
        for (Graph g : Sources.graphs(file)) {
            if (backward && !g.hasLoss()) throw new UserError("network " + g.name() + " has no loss statement, so no backward pass");
            System.out.print(IrPrinter.print(backward ? Compiler.stages(g).backward().graph() : g));
        }
        return 0;
    }
}
