package io.github.hopmixer.train;

import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * timm's {@code summary.csv} (epoch, train_loss, eval_loss, eval_top1, eval_top5, lr) plus throughput and time.
 * A resumed run keeps the rows of the epochs before its checkpoint (well-formed ones) and rewrites the rest.
 */
public final class MetricsCsv {
    public static final String HEADER = "epoch,train_loss,eval_loss,eval_top1,eval_top5,lr,train_images_per_sec,epoch_seconds";

    public record Row(int epoch, double trainLoss, double evalLoss, double top1, double top5, double lr,
                      double imagesPerSec, double seconds) {
        String format() {
            return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.4f,%.4f,%.6g,%.1f,%.1f",
                    epoch, trainLoss, evalLoss, top1, top5, lr, imagesPerSec, seconds);
        }
    }

    private final Path file;

    /** Opens {@code file}, keeping rows of epochs before {@code firstEpoch} (a resumed run's history). */
    public MetricsCsv(Path file, int firstEpoch) {
        this.file = file;
        StepsCsv.rewrite(file, HEADER, HEADER.split(",").length, firstEpoch - 1L);
    }

    public void append(Row row) {
        try {
            Files.writeString(file, row.format() + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw FileErrors.failure("cannot append to metrics file " + file, e);
        }
    }

    public Path file() { return file; }
}
