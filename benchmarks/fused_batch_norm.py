"""TensorFlow's fused batch normalization kernel behind Keras' layer, for `keras_speed.py` to time.

Chapter 8's networks use Keras' own ``BatchNormalization``: on this project's 2-core CPU a training
step of chapter 8's network took 172 ms of processor time with this layer and 173 ms with Keras'
(full mode, December 2026; 193 and 176 ms in quick mode), so the fused kernel did not earn a place in
the lesson. ``python benchmarks/keras_speed.py --only "batch normalization"`` measures it again;
``tests/test_fused_batch_norm.py`` checks that it computes what Keras' layer computes.
"""

import keras
import tensorflow as tf


class FusedBatchNormalization(keras.layers.BatchNormalization):
    """Keras' ``BatchNormalization`` whose training step on images runs TensorFlow's fused kernel.

    Keras 3 computes a batch's mean and variance, the normalization and the update of the running
    averages as separate operations; TensorFlow's ``FusedBatchNormV3`` kernel (the one Keras 2 used
    by default) does them in one compiled routine. The result is the same up to float32 rounding,
    except that the running variance averages the batch variance with Bessel's correction (divided
    by n - 1 instead of n, n = batch size x height x width). Same weights and arguments as
    ``keras.layers.BatchNormalization``. Inference, and everything the kernel does not cover, takes
    Keras' own path: inputs other than (N, H, W, C) float32 normalized over the last axis (for
    example after a dense layer), masks, ``renorm``, ``synchronized``, no ``center`` or ``scale``,
    ``epsilon`` below the kernel's minimum 1.001e-5.
    Requires the TensorFlow backend.
    """

    def call(self, inputs, training=None, mask=None):
        fused = (training and self.trainable and len(inputs.shape) == 4 and self.axis in (-1, 3)
                 and keras.backend.standardize_dtype(inputs.dtype) == "float32" and mask is None
                 and self.center and self.scale and self.epsilon >= 1.001e-5
                 and not getattr(self, "renorm", False)  # older Keras 3 versions lack these two
                 and not getattr(self, "synchronized", False))
        if not fused:
            return super().call(inputs, training=training, mask=mask)
        outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs, self.gamma, self.beta, mean=self.moving_mean, variance=self.moving_variance,
            epsilon=self.epsilon, is_training=True, exponential_avg_factor=1.0 - self.momentum)
        self.moving_mean.assign(mean)  # already the running averages: (1 - factor) * old + factor * batch
        self.moving_variance.assign(variance)
        return outputs
