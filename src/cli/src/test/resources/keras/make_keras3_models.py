#!/usr/bin/env python3
"""Writes .keras files with Keras 3 itself, for KerasImportTest: files whose weight paths differ
from their layer names, as every real one does.

Keras 3 stores a layer's weights not under its name but under its class in snake case, numbered
in the order of the model's layers (saving_lib's _save_container_state: layers/dense, layers/dense_1,
layers/functional/layers/dense for a nested model). So these models are saved after other models
of the same session (their layers are called dense_4, lstm_2, ...), with custom names, nested
models (whose layers share names with the outer model's), a channels_first model whose Flatten
keeps Keras' default data_format, and a flattened channels_last image concatenated with another
branch. Beside each model NAME: NAME.inputs.npz (one array per input, in Keras' layout) and
NAME.expected.npz (one array per output), computed by Keras (model.predict).

Keras 3 is not a Debian package. Made with Keras 3.15.1 on the JAX backend, in a virtual
environment:  python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install keras jax scipy
then:          KERAS_BACKEND=jax /tmp/kvenv/bin/python src/cli/src/test/resources/keras/make_keras3_models.py
"""
import os

os.environ.setdefault('KERAS_BACKEND', 'jax')
import keras
import numpy as np
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, model, *inputs):
    """Saves the model, and Keras' outputs on the inputs, each array named after its input or output layer."""
    model.save(os.path.join(HERE, name + '.keras'))
    inputs = [x.astype('float32') for x in inputs]
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    np.savez(os.path.join(HERE, name + '.inputs.npz'), **{t._keras_history[0].name: x for t, x in zip(model.inputs, inputs)})
    np.savez(os.path.join(HERE, name + '.expected.npz'), **{t._keras_history[0].name: o.astype('float32') for t, o in zip(model.outputs, outputs)})


def later_in_a_session(rng):
    """A churn classifier made after two other models: its layers are dense_4, dropout_1, ..., and one has a custom name."""
    for _ in range(2):  # earlier models of the session take the first names
        keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dropout(0.1)])
    model = keras.Sequential([keras.Input((12,)), layers.Dense(16, activation='relu'), layers.Dropout(0.2),
                              layers.Dense(8, activation='tanh', name='hidden_custom'), layers.Dense(1, activation='sigmoid')], name='churn')
    randomize(model, rng)
    save('churn', model, rng.uniform(-1, 1, (6, 12)))


def forecaster(rng):
    """Two LSTMs and a Dense, again after the models above (lstm_?, dense_?)."""
    model = keras.Sequential([keras.Input((10, 3)), layers.LSTM(8, return_sequences=True), layers.LSTM(4), layers.Dense(1)], name='forecaster')
    randomize(model, rng)
    save('forecaster', model, rng.uniform(-1, 1, (5, 10, 3)))


def nested(rng):
    """A functional model that calls a nested functional model and a nested Sequential, whose layers share names with its own."""
    inner = keras.Sequential([keras.Input((6,)), layers.Dense(5, activation='relu', name='dense')], name='inner_seq')
    encoder_in = keras.Input((6,))
    encoder = keras.Model(encoder_in, layers.Dense(4, name='code')(layers.Dense(7, activation='tanh')(encoder_in)), name='encoder')
    a = keras.Input((6,), name='a')
    both = layers.Concatenate()([encoder(a), inner(a)])
    model = keras.Model(a, layers.Dense(2, name='dense')(both), name='outer')
    randomize(model, rng)
    save('nested', model, rng.uniform(-1, 1, (4, 6)))


def channels_first(rng):
    """channels_first convolutions; one Flatten keeps Keras' default data_format (it flattens C, H, W as nnet does), one says channels_first (H, W, C)."""
    image = keras.Input((3, 8, 8), name='image')
    conv = layers.Conv2D(4, 3, padding='same', activation='relu', data_format='channels_first')(image)
    pooled = layers.MaxPooling2D(2, data_format='channels_first')(conv)
    both = layers.Concatenate()([layers.Flatten()(pooled), layers.Flatten(data_format='channels_first')(pooled)])
    model = keras.Model(image, layers.Dense(3, activation='softmax', name='classes')(both), name='channels_first')
    randomize(model, rng)
    save('channels_first', model, rng.uniform(-1, 1, (3, 3, 8, 8)))


def image_and_table(rng):
    """channels_last: a flattened image concatenated with a dense branch of tabular inputs."""
    image, table = keras.Input((8, 8, 2), name='image'), keras.Input((5,), name='table')
    features = layers.Flatten()(layers.MaxPooling2D(2)(layers.Conv2D(3, 3, activation='relu')(image)))
    both = layers.Concatenate()([features, layers.Dense(4, activation='relu')(table)])
    model = keras.Model([image, table], layers.Dense(2, name='score')(both), name='image_and_table')
    randomize(model, rng)
    save('image_and_table', model, rng.uniform(-1, 1, (4, 8, 8, 2)), rng.uniform(-1, 1, (4, 5)))


def randomize(model, rng):
    """Every weight random (biases too: Keras starts them at 0, which would hide a bias read from the wrong place)."""
    model.set_weights([rng.uniform(-0.6, 0.6, w.shape).astype('float32') for w in model.get_weights()])


if __name__ == '__main__':
    keras.utils.set_random_seed(27)
    rng = np.random.default_rng(27)
    for make in [later_in_a_session, forecaster, nested, channels_first, image_and_table]:
        make(rng)
