package io.github.hopmixer.model;

/**
 * Everything that fixes a model's shape. Token MLP hidden size is 0.5·C and channel hidden 4·C in every official
 * size; image, patch, input channels and classes are free so that 28-px grey data works as well as 224-px RGB.
 */
public record ModelConfig(String name, Family family, int imageSize, int inChans, int patch, int dim, int depth,
                          int tokenHidden, int channelHidden, int numClasses, int nIter, double lambda) {

    public ModelConfig {
        // Named one by one: in a compact constructor the fields are not yet set, so "this" would print nulls.
        String[] names = {"imageSize", "inChans", "patch", "dim", "depth", "tokenHidden", "channelHidden", "numClasses", "nIter"};
        int[] sizes = {imageSize, inChans, patch, dim, depth, tokenHidden, channelHidden, numClasses, nIter};
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1) throw new IllegalArgumentException(name + ": " + names[i] + " is " + sizes[i] + ", must be at least 1");
        }
        if (imageSize % patch != 0) {
            throw new IllegalArgumentException(name + ": image size " + imageSize + " is not a multiple of patch " + patch);
        }
        if (lambda < 0 || (lambda > 0 && family != Family.ASYMMIXER)) {
            throw new IllegalArgumentException(name + ": λ " + lambda + " applies only to asymmixer and must be ≥ 0");
        }
    }

    /** S, the number of patches (tokens). */
    public int tokens() {
        return (imageSize / patch) * (imageSize / patch);
    }

    /** The same model for another data set's image size, channel count and classes. */
    public ModelConfig withData(int imageSize, int inChans, int numClasses) {
        return new ModelConfig(name, family, imageSize, inChans, patch, dim, depth, tokenHidden, channelHidden,
                numClasses, nIter, lambda);
    }

    public ModelConfig withClasses(int numClasses) {
        return withData(imageSize, inChans, numClasses);
    }

    /** Parameter count, from the same declarations the model builds with. */
    public long parameterCount() {
        long n = 0;
        for (ParamSpec p : Mixer.parameters(this)) n += p.size();
        return n;
    }
}
