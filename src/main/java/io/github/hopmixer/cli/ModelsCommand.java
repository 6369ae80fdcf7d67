package io.github.hopmixer.cli;

import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the model names with their shapes and parameter counts (10-class head unless --num-classes).")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--num-classes", defaultValue = "10", description = "Classifier size for the counts (default: ${DEFAULT-VALUE}).")
    int numClasses;

    @Option(names = "--filter", description = "Only names containing this text.")
    String filter;

    @Override
    public Integer call() {
        if (numClasses < 1) throw new IllegalArgumentException("--num-classes " + numClasses + ": must be at least 1");
        if (filter != null && Models.names().stream().noneMatch(n -> n.contains(filter))) {
            throw new IllegalArgumentException("--filter " + filter + ": no model name contains it; 'hopmixer models' lists them all");
        }
        System.out.printf("%-28s %6s %5s %5s %6s %6s %6s %14s%n", "model", "img", "patch", "dim", "blocks", "n_iter", "lambda", "parameters");
        for (String name : Models.names()) {
            if (filter != null && !name.contains(filter)) continue;
            ModelConfig m = Models.get(name).withClasses(numClasses);
            System.out.printf(Locale.ROOT, "%-28s %6d %5d %5d %6d %6d %6s %,14d%n", name, m.imageSize(), m.patch(), m.dim(),
                    m.depth(), m.nIter(), m.lambda() == 0 ? "-" : String.valueOf(m.lambda()), m.parameterCount());
        }
        return 0;
    }
}
