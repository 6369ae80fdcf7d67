package io.github.hopmixer.data;

/** One uint8 image, channel-major (CHW), as the augmentation steps pass it along. */
record Chw(byte[] data, int channels, int height, int width) {

    Chw {
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("image has " + data.length + " bytes, expected " + channels + "×" + height + "×" + width);
        }
    }

    static Chw of(ImageSet set, int index) {
        byte[] data = new byte[set.imageSize()];
        System.arraycopy(set.pixels(), set.offset(index), data, 0, data.length);
        return new Chw(data, set.channels(), set.height(), set.width());
    }

    int plane() {
        return height * width;
    }

    int get(int c, int y, int x) {
        return data[(c * height + y) * width + x] & 0xff;
    }

    Chw withData(byte[] newData) {
        return new Chw(newData, channels, height, width);
    }
}
