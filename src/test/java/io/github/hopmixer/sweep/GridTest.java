package io.github.hopmixer.sweep;

import io.github.hopmixer.model.Family;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Grid expansion, cell naming, data-set specs, train-flag strings and the grid's JSON form. */
class GridTest {

    static Grid grid() {
        return new Grid(List.of("paramixer_nano", "asymmixer_nano", "symmixer_nano"), List.of(1.0, 1e-2, 0.0), List.of(1L, 2L),
                List.of(DatasetSpec.parse("fashion-mnist"), DatasetSpec.parse("cifar10-jpg=folder:/work/data/cifar10")),
                Grid.tokenize("--epochs 3 --batch-size 128"));
    }

    @Test
    void expandsSeedMajorWithLambdaOnlyForAsymmixer() {
        List<Cell> cells = grid().cells();
        // per seed: 2 data sets × (paramixer + 3 λ + symmixer) = 10
        assertEquals(20, cells.size());
        assertEquals(List.of(
                "fashion-mnist/paramixer_nano/seed1", "fashion-mnist/asymmixer_nano-l1/seed1", "fashion-mnist/asymmixer_nano-l1e-2/seed1",
                "fashion-mnist/asymmixer_nano-l0/seed1", "fashion-mnist/symmixer_nano/seed1",
                "cifar10-jpg/paramixer_nano/seed1", "cifar10-jpg/asymmixer_nano-l1/seed1", "cifar10-jpg/asymmixer_nano-l1e-2/seed1",
                "cifar10-jpg/asymmixer_nano-l0/seed1", "cifar10-jpg/symmixer_nano/seed1"),
                cells.subList(0, 10).stream().map(Cell::name).toList());
        assertEquals("fashion-mnist/paramixer_nano/seed2", cells.get(10).name());
        for (int i = 0; i < cells.size(); i++) assertEquals(i, cells.get(i).index());
        Cell a = cells.get(2);
        assertEquals(Family.ASYMMIXER, a.family());
        assertEquals(1e-2, a.lambda());
        assertEquals("asymmixer_nano_l02", a.trainModel(), "an official λ gets its registry name");
        assertNull(cells.get(0).lambda());
        assertEquals(Family.SYMMIXER, cells.get(4).family());
    }

    @Test
    void trainCommandOfACell() {
        Cell c = grid().cells().get(7); // cifar10-jpg, asymmixer λ 1e-2, seed 1
        assertEquals(List.of("train", "--dataset", "folder", "--data-dir", "/work/data/cifar10", "--model", "asymmixer_nano_l02", "--seed", "1",
                "--lcoeff", "0.01", "--epochs", "3", "--batch-size", "128", "--threads", "2", "--output", "/s/c"),
                c.trainCommand(java.nio.file.Path.of("/s/c"), false, 2));
        List<String> resume = c.trainCommand(java.nio.file.Path.of("/s/c"), true, null);
        assertEquals(List.of("--resume", "/s/c", "--output", "/s/c"), resume.subList(resume.size() - 4, resume.size()));
        assertFalse(resume.contains("--threads"));
        // λ without a registry suffix: the _l00 name and --lcoeff
        Grid g = new Grid(List.of("asymmixer_nano"), List.of(3e-3), List.of(5L), List.of(DatasetSpec.parse("mnist")), List.of());
        Cell odd = g.cells().getFirst();
        assertEquals("mnist/asymmixer_nano-l3e-3/seed5", odd.name());
        assertEquals("asymmixer_nano_l00", odd.trainModel());
        assertTrue(odd.trainCommand(java.nio.file.Path.of("x"), false, null).containsAll(List.of("--lcoeff", "0.003")));
        // an asymmixer given with its suffix and no λ list is one cell at that λ
        Cell own = new Grid(List.of("asymmixer_nano_l03"), List.of(), List.of(1L), List.of(DatasetSpec.parse("mnist")), List.of()).cells().getFirst();
        assertEquals("mnist/asymmixer_nano-l1e-3/seed1", own.name());
    }

    @Test
    void lambdaNamesAreShort() {
        assertEquals("1", Cell.lambdaName(1.0));
        assertEquals("0", Cell.lambdaName(0.0));
        assertEquals("1e-2", Cell.lambdaName(1e-2));
        assertEquals("1e-6", Cell.lambdaName(1e-6));
        assertEquals("5e-4", Cell.lambdaName(5e-4));
        assertEquals("10", Cell.lambdaName(10));
    }

    @Test
    void datasetSpecs() {
        assertEquals(new DatasetSpec("fashion-mnist", "fashion-mnist", null), DatasetSpec.parse("fashion-mnist"));
        assertEquals(new DatasetSpec("cifar10", "folder", "/work/data/cifar10"), DatasetSpec.parse("folder:/work/data/cifar10"));
        assertEquals("cifar10", DatasetSpec.parse("folder:/work/data/cifar10/").label());
        assertEquals(new DatasetSpec("c10", "cifar10", "/d"), DatasetSpec.parse("c10=cifar10:/d"));
        assertEquals(List.of("--dataset", "folder", "--data-dir", "/d"), DatasetSpec.parse("x=folder:/d").trainArgs());
        assertEquals(DatasetSpec.parse("c10=cifar10:/d"), DatasetSpec.parse(DatasetSpec.parse("c10=cifar10:/d").toString()));
        var e = assertThrows(IllegalArgumentException.class, () -> DatasetSpec.parse("imagenet"));
        assertTrue(e.getMessage().contains("'imagenet'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.parse("folder"));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.parse("a/b=fashion-mnist"));
    }

    @Test
    void badGridsAreRefusedWithTheFlagNamed() {
        var d = List.of(DatasetSpec.parse("mnist"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("asymmixer_nano"), List.of(), List.of(1L), d, List.of()))
                .getMessage().contains("--lambdas"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("nosuch_nano"), List.of(), List.of(1L), d, List.of()))
                .getMessage().contains("nosuch_nano"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("paramixer_nano"), List.of(), List.of(1L), d, List.of("--seed", "3")))
                .getMessage().contains("--seed is set by the sweep"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("paramixer_nano"), List.of(-1.0), List.of(1L), d, List.of()))
                .getMessage().contains("--lambdas"));
        assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("paramixer_nano"), List.of(), List.of(), d, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("paramixer_nano"), List.of(), List.of(1L, 1L), d, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Grid(List.of("paramixer_nano"), List.of(), List.of(1L),
                List.of(DatasetSpec.parse("a=mnist"), DatasetSpec.parse("a=fashion-mnist")), List.of()));
    }

    @Test
    void tokenizeKeepsQuotedBlanks() {
        assertEquals(List.of("--epochs", "2", "--data-note", "a b", ""), Grid.tokenize("  --epochs 2 --data-note 'a b' \"\" "));
        assertThrows(IllegalArgumentException.class, () -> Grid.tokenize("--x 'open"));
    }

    @Test
    void jsonRoundTripAndHandWrittenFiles() {
        Grid g = grid();
        assertEquals(g, Grid.fromJson(g.toJson(3), "sweep.json"));
        Grid hand = Grid.fromJson("""
                {"models": ["paramixer_nano"], "seeds": [1, 2], "datasets": ["fashion-mnist"], "trainArgs": "--epochs 4 --lr 1e-3"}""", "g.json");
        assertEquals(List.of("--epochs", "4", "--lr", "1e-3"), hand.trainArgs());
        assertEquals(2, hand.cells().size());
        var e = assertThrows(IllegalArgumentException.class, () -> Grid.fromJson("{\"model\": []}", "g.json"));
        assertTrue(e.getMessage().startsWith("g.json: unknown key 'model'"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Grid.fromJson("{not json", "g.json")).getMessage().startsWith("g.json"));
    }

    @Test
    void wronglyTypedGridIsOneLineNamingFileAndField() throws java.io.IOException {
        // A string where a list belongs failed with Gson's class names as an internal error.
        var e = assertThrows(IllegalArgumentException.class,
                () -> Grid.fromJson("{\"models\":\"paramixer_pico\",\"seeds\":[1],\"datasets\":[\"fashion-mnist\"]}", "g.json"));
        assertEquals("g.json: \"models\" must be a list of model names, e.g. [\"paramixer_nano\"]; got \"paramixer_pico\"", e.getMessage());
        for (String bad : List.of("{\"models\":[\"paramixer_pico\"],\"seeds\":[\"1\"],\"datasets\":[\"fashion-mnist\"]}",
                "{\"models\":[\"paramixer_pico\"],\"seeds\":[1],\"datasets\":[3]}",
                "{\"models\":[\"paramixer_pico\"],\"seeds\":[1],\"datasets\":[\"fashion-mnist\"],\"lambdas\":{\"a\":1}}",
                "{\"models\":[\"paramixer_pico\"],\"seeds\":[1],\"datasets\":[\"fashion-mnist\"],\"trainArgs\":5}")) {
            String m = assertThrows(IllegalArgumentException.class, () -> Grid.fromJson(bad, "g.json")).getMessage();
            assertTrue(m.startsWith("g.json: \"") && m.contains(" must be ") && !m.contains("com.google") && !m.contains("\n"), m);
        }
        // 1.5 was taken as seed 1 (cell seed1); a seed is a whole number
        String m = assertThrows(IllegalArgumentException.class,
                () -> Grid.fromJson("{\"models\":[\"paramixer_pico\"],\"seeds\":[1.5,-2],\"datasets\":[\"fashion-mnist\"]}", "g.json")).getMessage();
        assertTrue(m.startsWith("g.json: \"seeds\" must be a list of whole numbers") && m.endsWith("got 1.5"), m);
        assertEquals(List.of(2L, -2L), Grid.fromJson("{\"models\":[\"paramixer_pico\"],\"seeds\":[2.0,-2],\"datasets\":[\"fashion-mnist\"]}", "g.json").seeds(),
                "train takes any long --seed, negative ones too");
        // the same content in a sweep's own sweep.json: one line naming that file
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("gridtest");
        try {
            java.nio.file.Files.writeString(dir.resolve("sweep.json"), "{\"models\":\"paramixer_pico\",\"seeds\":[1],\"datasets\":[\"fashion-mnist\"],\"epochs\":1}");
            m = assertThrows(IllegalArgumentException.class, () -> Sweep.open(dir)).getMessage();
            assertTrue(m.startsWith(dir.resolve("sweep.json") + ": \"models\" must be"), m);
            java.nio.file.Files.writeString(dir.resolve("sweep.json"), "{\"models\":[\"paramixer_pico\"],\"seeds\":[1],\"datasets\":[\"fashion-mnist\"],\"epochs\":[1]}");
            m = assertThrows(IllegalArgumentException.class, () -> Sweep.open(dir)).getMessage();
            assertTrue(m.startsWith(dir.resolve("sweep.json") + ": \"epochs\" must be a whole number"), m);
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("sweep.json"));
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
