package io.github.hopmixer.kernels;

import io.github.hopmixer.ops.Op;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test of {@link KernelGradientTest}: the op kinds whose derivative it checks by finite differences or, for an op
 * with none to take (a rearrangement of the input, the optimiser's update), whose definition it checks. The test names
 * its ops itself, so the op catalogue stays one list ({@code OpCases.all}); a kind no test names fails
 * {@code KernelGradientTest.everyOpHasAGradientOrDefinitionTest}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface GradientOf {
    Class<? extends Op>[] value();
}
