package io.github.hopmixer.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One dense tensor as stored in a safetensors file: a dtype name, a row-major shape and the raw
 * little-endian element bytes.
 *
 * <p>Supported dtypes are {@code "F32"}, {@code "F64"}, {@code "I64"}, {@code "I32"} and
 * {@code "U8"}. The {@code toFloats()}, {@code toDoubles()}, {@code toLongs()} and
 * {@code toInts()} accessors convert from any of these dtypes (floating-point to integer
 * conversions use Java's narrowing cast, i.e. truncation toward zero; {@code U8} is unsigned).
 *
 * <p>The canonical constructor copies {@code shape} but takes ownership of {@code data} without
 * copying it (so large tensors read from disk are not duplicated); {@link #data()} returns a copy
 * and {@link #buffer()} a read-only little-endian view. Equality compares content.
 *
 * @param dtype safetensors dtype name
 * @param shape dimensions, row-major; {@code []} is a scalar (one element)
 * @param data  little-endian element bytes; length must equal {@code numel * elementSize}
 */
public record TensorData(String dtype, long[] shape, byte[] data) {

    public TensorData {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (!isSupported(dtype)) {
            throw new IllegalArgumentException("unsupported dtype '" + dtype + "'");
        }
        shape = shape.clone();
        long n = numel(shape);
        long bytes = Math.multiplyExact(n, elementSize(dtype));
        if (bytes != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of dtype " + dtype
                    + " needs " + bytes + " bytes but " + data.length + " were given");
        }
    }

    // ---------------------------------------------------------------- dtypes

    /** Whether {@code dtype} is one this implementation reads and writes. */
    public static boolean isSupported(String dtype) {
        return switch (dtype) {
            case "F32", "F64", "I64", "I32", "U8" -> true;
            default -> false;
        };
    }

    /** Bytes per element of a supported dtype. */
    public static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "U8" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype '" + dtype + "'");
        };
    }

    /** Product of the dimensions (1 for a scalar); rejects negative dimensions and overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    // ---------------------------------------------------------------- factories

    public static TensorData f32(long[] shape, float[] values) {
        ByteBuffer b = alloc(values.length, 4);
        b.asFloatBuffer().put(values);
        return new TensorData("F32", shape, b.array());
    }

    public static TensorData f64(long[] shape, double[] values) {
        ByteBuffer b = alloc(values.length, 8);
        b.asDoubleBuffer().put(values);
        return new TensorData("F64", shape, b.array());
    }

    public static TensorData i64(long[] shape, long[] values) {
        ByteBuffer b = alloc(values.length, 8);
        b.asLongBuffer().put(values);
        return new TensorData("I64", shape, b.array());
    }

    public static TensorData i32(long[] shape, int[] values) {
        ByteBuffer b = alloc(values.length, 4);
        b.asIntBuffer().put(values);
        return new TensorData("I32", shape, b.array());
    }

    public static TensorData u8(long[] shape, byte[] values) {
        return new TensorData("U8", shape, values.clone());
    }

    private static ByteBuffer alloc(int n, int size) {
        return ByteBuffer.allocate(Math.multiplyExact(n, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---------------------------------------------------------------- accessors

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A copy of the raw little-endian bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** A read-only little-endian view of the raw bytes (no copy). */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements. */
    public long numel() {
        return numel(shape);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size in bytes of the element data. */
    public int byteLength() {
        return data.length;
    }

    // ---------------------------------------------------------------- conversions

    public double[] toDoubles() {
        int n = count();
        double[] out = new double[n];
        ByteBuffer b = buffer();
        switch (dtype) {
            case "F64" -> b.asDoubleBuffer().get(out);
            case "F32" -> { for (int i = 0; i < n; i++) out[i] = b.getFloat(4 * i); }
            case "I64" -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
            case "I32" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case "U8" -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; }
            default -> throw new AssertionError(dtype);
        }
        return out;
    }

    public float[] toFloats() {
        int n = count();
        float[] out = new float[n];
        ByteBuffer b = buffer();
        switch (dtype) {
            case "F32" -> b.asFloatBuffer().get(out);
            case "F64" -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(8 * i); }
            case "I64" -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
            case "I32" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case "U8" -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; }
            default -> throw new AssertionError(dtype);
        }
        return out;
    }

    public long[] toLongs() {
        int n = count();
        long[] out = new long[n];
        ByteBuffer b = buffer();
        switch (dtype) {
            case "I64" -> b.asLongBuffer().get(out);
            case "I32" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case "U8" -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; }
            case "F64" -> { for (int i = 0; i < n; i++) out[i] = (long) b.getDouble(8 * i); }
            case "F32" -> { for (int i = 0; i < n; i++) out[i] = (long) b.getFloat(4 * i); }
            default -> throw new AssertionError(dtype);
        }
        return out;
    }

    public int[] toInts() {
        int n = count();
        int[] out = new int[n];
        ByteBuffer b = buffer();
        switch (dtype) {
            case "I32" -> b.asIntBuffer().get(out);
            case "I64" -> { for (int i = 0; i < n; i++) out[i] = Math.toIntExact(b.getLong(8 * i)); }
            case "U8" -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; }
            case "F64" -> { for (int i = 0; i < n; i++) out[i] = (int) b.getDouble(8 * i); }
            case "F32" -> { for (int i = 0; i < n; i++) out[i] = (int) b.getFloat(4 * i); }
            default -> throw new AssertionError(dtype);
        }
        return out;
    }

    private int count() {
        return data.length / elementSize(dtype);
    }

    // ---------------------------------------------------------------- content equality

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t
                && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + " " + Arrays.toString(shape) + ", " + data.length + " bytes]";
    }
}
