package io.github.hopmixer.tornado;

import io.github.hopmixer.data.Batch;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.Evaluator;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.github.hopmixer.tornado.TornadoDeviceTest.assertNear;
import static io.github.hopmixer.tornado.TornadoDeviceTest.read;
import static io.github.hopmixer.tornado.TornadoDeviceTest.requireTornado;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host round trips (issue 8, item 4), counted: a step is one blocking execute() per kernel graph and nothing else
 * (the first graph sends the batch, the last brings the canary back), the weights go up only after the host wrote
 * them, and evaluation after training takes the weights the training plan left on the device — none is pulled to
 * the host or sent again — and gives the JVM's numbers.
 */
class RoundTripsTest {

    @AfterEach
    void restore() {
        System.clearProperty("hopmixer.tornado.graph.tasks");
    }

    @Test
    void aStepIsOneExecutePerKernelGraphAndNothingElse() {
        requireTornado();
        System.setProperty("hopmixer.tornado.graph.tasks", "8"); // several graphs on a tiny model
        try (TornadoDevice d = (TornadoDevice) Devices.open("tornado", 1)) {
            // The plan this device trains with (its memory policy), which the kernel audit lays out too.
            Step train = StepPlans.training(Tiny.model(Family.PARAMIXER, 1, 0), 3, d);
            d.prepare(train.plan());
            Tiny.fill(d, train, 5);
            for (int i = 0; i < 3; i++) d.execute(train.plan());
            PlanRunner.RoundTrips rt = d.roundTrips(train.plan());
            assertTrue(rt.kernelGraphs() >= 3, rt.toString());
            assertEquals(1, rt.uploadGraphs(), rt.toString());
            assertEquals(3, rt.runs());
            assertEquals(1, rt.stateUploads(), "the weights go up once, after the host wrote them");
            assertEquals(3L * rt.kernelGraphs() + rt.uploadGraphs(), rt.executes());
            assertEquals(0, rt.pulls(), "nothing comes back unless read (the canary comes back with the last graph)");
            // The same count as the kernel audit's, which needs no device.
            long auditGraphs = KernelAudit.rows(train.model(), 3, d.config()).stream().mapToInt(KernelAudit.Row::graph).distinct().count();
            assertEquals(rt.kernelGraphs(), auditGraphs);
            read(d, train.losses());
            assertEquals(1, d.roundTrips(train.plan()).pulls());
        }
    }

    /**
     * paramixer_nano at batch 128 with the CPU config: before issue 8 item 4, 6 kernel graphs and a step upload graph
     * (7 execute() calls) and a read of the canary; now 4 graphs, each as full as TornadoVM's 1,024 graph nodes allow
     * (TornadoVM's plans share storage but recompute nothing: {@link TornadoDevice#memory()}).
     */
    @Test
    void nanoStepTakesFourGraphs() {
        ModelConfig nano = Models.get("paramixer_nano").withData(32, 3, 10);
        List<KernelAudit.Row> rows = KernelAudit.rows(nano, 128, TornadoConfig.forType("CPU"));
        long graphs = rows.stream().mapToInt(KernelAudit.Row::graph).distinct().count();
        assertTrue(graphs <= 4, graphs + " task graphs");
        assertTrue(graphs >= (rows.size() + 255) / 256, "TornadoVM holds at most 256 tasks a graph");
    }

    @Test
    void evaluationAfterTrainingSharesTheWeightsOnTheDevice() {
        requireTornado();
        System.setProperty("hopmixer.tornado.graph.tasks", "16");
        ModelConfig m = Tiny.model(Family.PARAMIXER, 1, 0);
        Step train = StepPlans.training(m, 4), eval = StepPlans.evaluation(m, 5);
        List<Batch> batches = batches(m, 5, 2);
        try (JvmDevice jvm = new JvmDevice(1); TornadoDevice tornado = (TornadoDevice) Devices.open("tornado", 1)) {
            Evaluator.Result[] want = new Evaluator.Result[2], got = new Evaluator.Result[2];
            for (Device d : List.of(jvm, tornado)) {
                d.prepare(train.plan());
                d.prepare(eval.plan());
                Tiny.fill(d, eval, 6);
                Tiny.fill(d, train, 5);
                for (int i = 0; i < 3; i++) d.execute(train.plan());
                Evaluator.Result r0 = Evaluator.run(d, eval, batches.iterator());
                d.execute(train.plan());
                Evaluator.Result r1 = Evaluator.run(d, eval, batches.iterator());
                (d == jvm ? want : got)[0] = r0;
                (d == jvm ? want : got)[1] = r1;
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(want[i].loss(), got[i].loss(), 1e-4 * Math.abs(want[i].loss()), "eval loss " + i);
                assertEquals(want[i].top1(), got[i].top1(), 100.0 / want[i].count() + 1e-9, "top-1 " + i);
                assertEquals(want[i].count(), got[i].count());
            }
            assertNear("eval logits", read(jvm, eval.logits()), read(tornado, eval.logits()), 1e-4);

            PlanRunner.RoundTrips t = tornado.roundTrips(train.plan()), e = tornado.roundTrips(eval.plan());
            assertEquals(0, e.stateUploads(), "evaluation sent no weight: it took the training plan's");
            assertEquals(0, t.pulls(), "no weight came back to the host for evaluation");
            assertEquals(1, t.stateUploads(), "training took the weights back from evaluation: no second upload");
            assertEquals(4L * t.kernelGraphs() + t.uploadGraphs(), t.executes());
            assertEquals(4L * e.kernelGraphs(), e.executes(), "an eval batch is one execute() per kernel graph");
            assertEquals(4 * 2, e.pulls(), "per eval batch the logits and the losses (the logits read above were on the host)");
        }
    }

    /** Random images and labels in eval batches of {@code size}, the last one partly filled. */
    static List<Batch> batches(ModelConfig m, int size, int count) {
        Random r = new Random(11);
        int k = m.numClasses(), pixels = m.inChans() * m.imageSize() * m.imageSize();
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int valid = b == count - 1 ? size - 2 : size;
            int[] labels = new int[size];
            float[] targets = new float[size * k];
            for (int i = 0; i < size; i++) {
                labels[i] = r.nextInt(k);
                targets[i * k + labels[i]] = 1f;
            }
            out.add(new Batch(Tiny.randn(r, size * pixels, 1.0), targets, labels, size, valid, m.inChans(), m.imageSize(),
                    m.imageSize(), k, 0, b, null));
        }
        return out;
    }
}
