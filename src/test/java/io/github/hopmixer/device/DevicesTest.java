package io.github.hopmixer.device;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.ops.ResidualOps.Add;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Device selection by id, and the buffer rules every device shares (checked lengths, shared names). */
class DevicesTest {

    @Test
    void opensTheJvmDeviceWithTheGivenThreads() {
        try (Device d = Devices.open("jvm", 2)) {
            JvmDevice jvm = assertInstanceOf(JvmDevice.class, d);
            assertEquals(2, jvm.threads());
            assertTrue(d.name().contains("2 threads"), d.name());
        }
        assertInstanceOf(ReferenceDevice.class, Devices.open("reference", 1));
        assertThrows(IllegalArgumentException.class, () -> new JvmDevice(0));
    }

    @Test
    void autoFallsBackToTheJvmWithoutProviders() {
        assumeTrue(Devices.providers().isEmpty(), "a device provider is present");
        try (Device d = Devices.open("auto", 1)) {
            assertInstanceOf(JvmDevice.class, d);
        }
    }

    @Test
    void tornadoWithoutTornadoVmSaysHowToGetIt() {
        assumeTrue(Devices.providers().stream().noneMatch(p -> p.prefix().equals("tornado")), "TornadoVM is present");
        for (String id : List.of("tornado", "tornado:opencl:0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open(id, 1));
            String msg = e.getMessage();
            assertTrue(msg.contains(id), msg);
            assertTrue(msg.contains("TornadoVM is not on this JVM"), msg);
            assertTrue(msg.contains("mvn -Ptornado"), "names the build profile: " + msg);
            assertTrue(msg.contains("TORNADOVM_HOME"), msg);
            assertTrue(msg.contains("https://github.com/beehive-lab/TornadoVM"), "says where to download it: " + msg);
        }
    }

    @Test
    void unknownIdListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open("cuda", 1));
        String msg = e.getMessage();
        assertTrue(msg.contains("'cuda'"), msg);
        for (String valid : List.of("jvm", "reference", "auto", "hopmixer devices")) assertTrue(msg.contains(valid), msg);
        assertThrows(IllegalArgumentException.class, () -> Devices.open("JVM", 1), "ids are exact");
    }

    @Test
    void listHasTheJvmAndTheReference() {
        List<String> ids = Devices.list().stream().map(DeviceProvider.Info::id).toList();
        assertTrue(ids.contains("jvm"), ids.toString());
        assertTrue(ids.contains("reference"), ids.toString());
        for (DeviceProvider.Info info : Devices.list()) assertTrue(info.memoryBytes() > 0, info.toString());
    }

    // ---- buffer rules, on the reference and on every device under conformance

    static Stream<ConformanceTest.Candidate> allDevices() {
        List<ConformanceTest.Candidate> out = new ArrayList<>(ConformanceTest.devices());
        out.add(new ConformanceTest.Candidate("reference", ReferenceDevice::new));
        return out.stream();
    }

    /** A one-step plan: out (OUTPUT, 6) = src (INPUT, 6), plus a parameter of the given size (shared by name). */
    static Plan plan(String name, int paramSize, Role paramRole) {
        Buffer out = new Buffer(0, name + "/out", Role.OUTPUT, new int[] {2, 3});
        Buffer src = new Buffer(1, name + "/src", Role.INPUT, new int[] {2, 3});
        Buffer w = new Buffer(2, "w", paramRole, new int[] {paramSize});
        return new Plan(name, List.of(out, src, w), List.of(new Invocation(new Add(6, false), new Buffer[] {out, src})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allDevices")
    void wrongLengthHostArrayIsRejectedNamingTheBuffer(ConformanceTest.Candidate c) {
        Plan p = plan("a", 4, Role.PARAM);
        try (Device d = c.open()) {
            d.prepare(p);
            for (Buffer b : p.buffers()) {
                IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> d.write(b, new float[b.size() + 1]));
                assertTrue(w.getMessage().contains(b.name()), w.getMessage());
                IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> d.read(b, new float[b.size() - 1]));
                assertTrue(r.getMessage().contains(b.name()), r.getMessage());
            }
            // The right length works and round-trips.
            float[] v = {1, 2, 3, 4, 5, 6}, back = new float[6];
            d.write(p.buffer("a/src"), v);
            d.execute(p);
            d.read(p.buffer("a/out"), back);
            assertArrayEquals(v, back);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allDevices")
    void sharedBufferNameWithAnotherSizeOrRoleIsAnError(ConformanceTest.Candidate c) {
        try (Device d = c.open()) {
            d.prepare(plan("a", 4, Role.PARAM));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.prepare(plan("b", 5, Role.PARAM)));
            assertTrue(e.getMessage().contains("w"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> d.prepare(plan("c", 4, Role.OPT_STATE)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allDevices")
    void sharedBufferIsOneArrayAcrossPlans(ConformanceTest.Candidate c) {
        Plan a = plan("a", 4, Role.PARAM), b = plan("b", 4, Role.PARAM);
        try (Device d = c.open()) {
            d.prepare(a);
            d.prepare(b);
            d.write(a.buffer("w"), new float[] {1, 2, 3, 4});
            float[] back = new float[4];
            d.read(b.buffer("w"), back);
            assertArrayEquals(new float[] {1, 2, 3, 4}, back, "a parameter written through one plan is seen by the other");
            // Per-plan buffers are not shared, even under the same shape.
            d.write(a.buffer("a/src"), new float[] {1, 1, 1, 1, 1, 1});
            d.write(b.buffer("b/src"), new float[] {2, 2, 2, 2, 2, 2});
            d.execute(a);
            float[] out = new float[6];
            d.read(a.buffer("a/out"), out);
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, out);
        }
    }

    @Test
    void executingAnUnpreparedPlanIsAnError() {
        try (Device d = new JvmDevice(1)) {
            assertThrows(IllegalStateException.class, () -> d.execute(plan("a", 4, Role.PARAM)));
        }
        assertThrows(IllegalStateException.class, () -> new ReferenceDevice().execute(plan("a", 4, Role.PARAM)));
    }
}
