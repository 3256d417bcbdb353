#!/usr/bin/python3
"""Writes the Keras model files KerasImportTest imports, and what Keras computes on them.

No TensorFlow here: each file is laid out as Keras writes it, with h5py (Debian's python3-h5py)
and numpy. A Keras 3 .keras file is a zip of config.json (the model's structure), metadata.json
and model.weights.h5 (a layer's variables at layers/<path>/vars/0, 1, ...; an LSTM's at
layers/<path>/cell/vars/0, 1, 2, where <path> is not the layer's name but its class in snake case,
numbered in the order of the model's layers: dense, dense_1, lstm, as Keras' saving_lib names
them). make_keras3_models.py writes files with Keras 3 itself. A legacy .h5 (Keras 2, tf.keras) holds the
root attribute model_config and the weights under model_weights/<layer>/, listed in order by the
layer group's attribute weight_names.

Beside each model NAME: NAME.inputs.npz (one array per input layer, in Keras' layout: images are
[N, H, W, C]) and NAME.expected.npz (one array per output layer), the outputs computed here with
numpy from Keras' definitions of the layers, written independently of nnet.

Run from anywhere: /usr/bin/python3 src/test/resources/keras/make_keras_models.py
"""
import io, json, os, zipfile
import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPE = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}


# ---- Keras' definitions, in Keras' layouts

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {'linear': lambda z: z, 'relu': lambda z: np.maximum(z, 0), 'sigmoid': sigmoid, 'tanh': np.tanh,
               'softmax': lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)}


def dense(x, kernel, bias, activation='linear'):
    return ACTIVATIONS[activation](x @ kernel + bias)


def conv2d(x, kernel, bias, padding, activation='linear'):
    """channels_last: x [N, H, W, C], kernel [kh, kw, C, F]; 'same' pads as TensorFlow (the extra row at the bottom)."""
    kh, kw = kernel.shape[:2]
    if padding == 'same':
        x = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    n, h, w, _ = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, kernel.shape[3]))
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            out[:, i, j, :] = np.einsum('nabc,abcf->nf', x[:, i:i + kh, j:j + kw, :], kernel)
    return ACTIVATIONS[activation](out + bias)


def pool(x, k, reduce):
    n, h, w, c = x.shape
    return reduce(x[:, :h // k * k, :w // k * k, :].reshape(n, h // k, k, w // k, k, c), axis=(2, 4))


def lstm(x, kernel, recurrent, bias, return_sequences):
    """Keras' LSTM: gates i, f, c, o along the columns; zero initial state."""
    n, t, _ = x.shape
    u = recurrent.shape[0]
    h, c, hs = np.zeros((n, u)), np.zeros((n, u)), []
    for step in range(t):
        z = x[:, step] @ kernel + h @ recurrent + bias
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, 1) if return_sequences else h


# ---- writing files as Keras does

def layer(cls, name, module='keras.layers', **config):
    return {'module': module, 'class_name': cls, 'config': {'name': name, 'trainable': True, 'dtype': DTYPE, **config}, 'registered_name': None}


def input_layer(name, shape):
    return {'module': 'keras.layers', 'class_name': 'InputLayer', 'config': {'batch_shape': [None, *shape], 'dtype': 'float32', 'sparse': False, 'name': name},
            'registered_name': None, 'name': name, 'inbound_nodes': []}


def tensor(layer_name, shape):
    return {'class_name': '__keras_tensor__', 'config': {'shape': [None, *shape], 'dtype': 'float32', 'keras_history': [layer_name, 0, 0]}}


def called(entry, *inputs, merge=False):
    """A functional model's layer entry: its name and the tensors it was called on (a list for merge layers)."""
    args = [list(inputs)] if merge else list(inputs)
    return {**entry, 'name': entry['config']['name'], 'inbound_nodes': [{'args': args, 'kwargs': {}}]}


def write_keras(name, model_config, variables):
    """variables: {'layers/dense/vars': [kernel, bias], ...} -> datasets 0, 1, ... as Keras 3's H5IOStore writes them."""
    weights = io.BytesIO()
    with h5py.File(weights, 'w') as f:
        f.create_group('vars')
        f.create_group('optimizer/vars')
        for path, arrays in variables.items():
            group = f.create_group(path)
            for k, a in enumerate(arrays):
                group.create_dataset(str(k), data=np.asarray(a, dtype='float32'))
    with zipfile.ZipFile(os.path.join(HERE, name + '.keras'), 'w', zipfile.ZIP_STORED) as z:
        z.writestr('metadata.json', json.dumps({'keras_version': '3.10.0', 'date_saved': '2026-11-26@12:00:00'}))
        z.writestr('config.json', json.dumps(model_config))
        z.writestr('model.weights.h5', weights.getvalue())


def write_io(name, inputs, outputs):
    np.savez(os.path.join(HERE, name + '.inputs.npz'), **{k: v.astype('float32') for k, v in inputs.items()})
    np.savez(os.path.join(HERE, name + '.expected.npz'), **{k: v.astype('float32') for k, v in outputs.items()})


def uniform(rng, *shape):
    return rng.uniform(-1, 1, shape).astype('float32')


def sequential(name, layers, input_shape):
    return {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': name, 'trainable': True, 'dtype': DTYPE, 'layers': layers,
            'build_input_shape': [None, *input_shape]}, 'registered_name': None, 'build_config': {'input_shape': [None, *input_shape]}}


def functional(name, layers, inputs, outputs):
    return {'module': 'keras.src.models.functional', 'class_name': 'Functional', 'config': {'name': name, 'trainable': True, 'layers': layers,
            'input_layers': [[i, 0, 0] for i in inputs], 'output_layers': [[o, 0, 0] for o in outputs]}, 'registered_name': None}


# ---- the models

def dense_model(rng):
    """Sequential: Dense(16, relu), Dropout, Dense(3, softmax)."""
    k1, b1, k2, b2 = uniform(rng, 8, 16), uniform(rng, 16), uniform(rng, 16, 3), uniform(rng, 3)
    config = sequential('dense_classifier', [
        {k: v for k, v in input_layer('input_layer', [8]).items() if k not in ('name', 'inbound_nodes')},
        layer('Dense', 'dense', units=16, activation='relu', use_bias=True),
        layer('Dropout', 'dropout', rate=0.5),
        layer('Dense', 'dense_1', units=3, activation='softmax', use_bias=True)], [8])
    write_keras('dense', config, {'layers/dense/vars': [k1, b1], 'layers/dropout/vars': [], 'layers/dense_1/vars': [k2, b2]})
    x = uniform(rng, 5, 8)
    write_io('dense', {'input_layer': x}, {'dense_1': dense(dense(x, k1, b1, 'relu'), k2, b2, 'softmax')})


def lstm_model(rng):
    """Sequential: LSTM(4, return_sequences), LSTM(6), Dense(2); biases random, forget gates included."""
    w1 = [uniform(rng, 3, 16), uniform(rng, 4, 16), uniform(rng, 16)]
    w2 = [uniform(rng, 4, 24), uniform(rng, 6, 24), uniform(rng, 24)]
    k, b = uniform(rng, 6, 2), uniform(rng, 2)
    lstm_config = dict(activation='tanh', recurrent_activation='sigmoid', use_bias=True, unit_forget_bias=True, return_state=False,
                       go_backwards=False, stateful=False, unroll=False, dropout=0.0, recurrent_dropout=0.0)
    config = sequential('lstm_regressor', [
        {k_: v for k_, v in input_layer('input_layer', [5, 3]).items() if k_ not in ('name', 'inbound_nodes')},
        layer('LSTM', 'lstm', units=4, return_sequences=True, **lstm_config),
        layer('LSTM', 'lstm_1', units=6, return_sequences=False, **lstm_config),
        layer('Dense', 'dense', units=2, activation='linear', use_bias=True)], [5, 3])
    write_keras('lstm', config, {'layers/lstm/vars': [], 'layers/lstm/cell/vars': w1, 'layers/lstm_1/vars': [], 'layers/lstm_1/cell/vars': w2,
                                 'layers/dense/vars': [k, b]})
    x = uniform(rng, 4, 5, 3)
    write_io('lstm', {'input_layer': x}, {'dense': dense(lstm(lstm(x, *w1, True), *w2, False), k, b)})


def gated_cnn_model(rng):
    """Functional, channels_last: a learned gate on a conv, a skip joined with Add, pooling, Flatten into Dense."""
    c1, g, c2 = [uniform(rng, 3, 3, 2, 4), uniform(rng, 4)], [uniform(rng, 3, 3, 2, 4), uniform(rng, 4)], [uniform(rng, 3, 3, 4, 4), uniform(rng, 4)]
    d = [uniform(rng, 2 * 2 * 4, 5) * 0.5, uniform(rng, 5)]
    layers = [input_layer('image', [8, 8, 2]),
              called(layer('Conv2D', 'conv2d', filters=4, kernel_size=[3, 3], strides=[1, 1], padding='same', data_format='channels_last',
                           dilation_rate=[1, 1], groups=1, activation='relu', use_bias=True), tensor('image', [8, 8, 2])),
              called(layer('Conv2D', 'gate', filters=4, kernel_size=[3, 3], strides=[1, 1], padding='same', data_format='channels_last',
                           dilation_rate=[1, 1], groups=1, activation='sigmoid', use_bias=True), tensor('image', [8, 8, 2])),
              called(layer('Multiply', 'gated'), tensor('conv2d', [8, 8, 4]), tensor('gate', [8, 8, 4]), merge=True),
              called(layer('MaxPooling2D', 'pool', pool_size=[2, 2], strides=[2, 2], padding='valid', data_format='channels_last'), tensor('gated', [8, 8, 4])),
              called(layer('Conv2D', 'conv2d_1', filters=4, kernel_size=[3, 3], strides=[1, 1], padding='same', data_format='channels_last',
                           dilation_rate=[1, 1], groups=1, activation='linear', use_bias=True), tensor('pool', [4, 4, 4])),
              called(layer('Add', 'skip'), tensor('conv2d_1', [4, 4, 4]), tensor('pool', [4, 4, 4]), merge=True),
              called(layer('AveragePooling2D', 'average', pool_size=[2, 2], strides=None, padding='valid', data_format='channels_last'), tensor('skip', [4, 4, 4])),
              called(layer('Flatten', 'flatten', data_format='channels_last'), tensor('average', [2, 2, 4])),
              called(layer('Dense', 'dense', units=5, activation='linear', use_bias=True), tensor('flatten', [16])),
              called(layer('Activation', 'probabilities', activation='softmax'), tensor('dense', [5]))]
    write_keras('gated_cnn', functional('gated_cnn', layers, ['image'], ['probabilities']),
                {'layers/conv2d/vars': c1, 'layers/conv2d_1/vars': g, 'layers/conv2d_2/vars': c2, 'layers/dense/vars': d})
    x = uniform(rng, 3, 8, 8, 2)
    gated = conv2d(x, *c1, 'same', 'relu') * conv2d(x, *g, 'same', 'sigmoid')
    pooled = pool(gated, 2, np.max)
    skip = conv2d(pooled, *c2, 'same') + pooled
    flat = pool(skip, 2, np.mean).reshape(3, -1)
    write_io('gated_cnn', {'image': x}, {'probabilities': ACTIVATIONS['softmax'](dense(flat, *d))})


def merge_model(rng):
    """Functional with two inputs and two outputs: Subtract, Concatenate, Reshape into an LSTM, LeakyReLU."""
    da, db = [uniform(rng, 6, 4), uniform(rng, 4)], [uniform(rng, 6, 4), uniform(rng, 4)]
    cell = [uniform(rng, 4, 12), uniform(rng, 3, 12), uniform(rng, 12)]
    out = [uniform(rng, 3, 2), uniform(rng, 2)]
    layers = [input_layer('a', [6]), input_layer('b', [6]),
              called(layer('Dense', 'left', units=4, activation='tanh', use_bias=True), tensor('a', [6])),
              called(layer('Dense', 'right', units=4, activation='linear', use_bias=True), tensor('b', [6])),
              called(layer('Subtract', 'difference'), tensor('left', [4]), tensor('right', [4]), merge=True),
              called(layer('Concatenate', 'both', axis=-1), tensor('difference', [4]), tensor('left', [4]), merge=True),
              called(layer('Reshape', 'steps', target_shape=[2, 4]), tensor('both', [8])),
              called(layer('LSTM', 'memory', units=3, activation='tanh', recurrent_activation='sigmoid', use_bias=True, return_sequences=False,
                           return_state=False, go_backwards=False, stateful=False), tensor('steps', [2, 4])),
              called(layer('LeakyReLU', 'leaky', negative_slope=0.2), tensor('memory', [3])),
              called(layer('Dense', 'score', units=2, activation='sigmoid', use_bias=True), tensor('leaky', [3]))]
    write_keras('merge', functional('two_towers', layers, ['a', 'b'], ['score', 'both']),
                {'layers/dense/vars': da, 'layers/dense_1/vars': db, 'layers/lstm/vars': [], 'layers/lstm/cell/vars': cell, 'layers/dense_2/vars': out})
    a, b = uniform(rng, 4, 6), uniform(rng, 4, 6)
    left = dense(a, *da, 'tanh')
    both = np.concatenate([left - dense(b, *db), left], -1)
    h = lstm(both.reshape(4, 2, 4), *cell, False)
    write_io('merge', {'a': a, 'b': b}, {'score': dense(np.where(h > 0, h, 0.2 * h), *out, 'sigmoid'), 'both': both})


def legacy_lstm_model(rng):
    """A Keras 2 (tf.keras) functional model in the legacy HDF5 format: Input, LSTM(5), Dense(2, softmax)."""
    cell = [uniform(rng, 3, 20), uniform(rng, 5, 20), uniform(rng, 20)]
    k, b = uniform(rng, 5, 2), uniform(rng, 2)
    config = {'class_name': 'Functional', 'config': {'name': 'model', 'layers': [
        {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 4, 3], 'dtype': 'float32', 'sparse': False, 'ragged': False, 'name': 'input_1'},
         'name': 'input_1', 'inbound_nodes': []},
        {'class_name': 'LSTM', 'config': {'name': 'lstm', 'trainable': True, 'dtype': 'float32', 'return_sequences': False, 'return_state': False,
                                          'go_backwards': False, 'stateful': False, 'unroll': False, 'time_major': False, 'units': 5,
                                          'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'use_bias': True, 'unit_forget_bias': True},
         'name': 'lstm', 'inbound_nodes': [[['input_1', 0, 0, {}]]]},
        {'class_name': 'Dense', 'config': {'name': 'dense', 'trainable': True, 'dtype': 'float32', 'units': 2, 'activation': 'softmax', 'use_bias': True},
         'name': 'dense', 'inbound_nodes': [[['lstm', 0, 0, {}]]]}],
        'input_layers': [['input_1', 0, 0]], 'output_layers': [['dense', 0, 0]]}, 'keras_version': '2.15.0', 'backend': 'tensorflow'}
    with h5py.File(os.path.join(HERE, 'legacy_lstm.h5'), 'w') as f:
        f.attrs['keras_version'] = b'2.15.0'
        f.attrs['backend'] = b'tensorflow'
        f.attrs['model_config'] = json.dumps(config).encode()
        weights = f.create_group('model_weights')
        weights.attrs['layer_names'] = [b'input_1', b'lstm', b'dense']
        weights.create_group('input_1').attrs['weight_names'] = np.array([], dtype='S1')
        for layer_name, names, arrays in [('lstm', ['lstm/lstm_cell/kernel:0', 'lstm/lstm_cell/recurrent_kernel:0', 'lstm/lstm_cell/bias:0'], cell),
                                          ('dense', ['dense/kernel:0', 'dense/bias:0'], [k, b])]:
            group = weights.create_group(layer_name)
            group.attrs['weight_names'] = [n.encode() for n in names]
            for n, a in zip(names, arrays):
                group.create_dataset(n, data=a)
    x = uniform(rng, 6, 4, 3)
    write_io('legacy_lstm', {'input_1': x}, {'dense': dense(lstm(x, *cell, False), k, b, 'softmax')})


def custom_connected_model(rng):
    """The seeds' CustomConnected layer: a Dense whose kernel Keras multiplies by a mask that is not in the file."""
    k, b = uniform(rng, 4, 3), uniform(rng, 3)
    custom = {'module': None, 'class_name': 'CustomConnected', 'config': {'name': 'custom_connected', 'trainable': True, 'dtype': DTYPE,
              'units': 3, 'activation': 'relu', 'use_bias': True}, 'registered_name': 'Custom>CustomConnected'}
    config = sequential('masked', [{k_: v for k_, v in input_layer('input_layer', [4]).items() if k_ not in ('name', 'inbound_nodes')}, custom], [4])
    write_keras('custom_connected', config, {'layers/custom_connected/vars': [k, b]})


def unsupported_model(rng):
    config = sequential('sequence', [{k_: v for k_, v in input_layer('input_layer', [3, 4]).items() if k_ not in ('name', 'inbound_nodes')},
                                     layer('Conv1D', 'conv1d', filters=2, kernel_size=[2], strides=[1], padding='valid', activation='linear', use_bias=True)], [3, 4])
    write_keras('unsupported', config, {'layers/conv1d/vars': [np.ones((2, 4, 2)), np.zeros(2)]})


def batch_norm(x, gamma, beta, mean, variance, epsilon):
    """Keras' BatchNormalization when predicting: the moving statistics, along the last axis."""
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


def batchnorm_model(rng):
    """Sequential, channels_last: Conv2D, BatchNormalization(center=False) over its channels, Flatten, Dense,
    BatchNormalization(momentum=0.9), ReLU, Dropout(0.3), Dense(2, softmax); moving statistics as after training."""
    conv, d1, d2 = [uniform(rng, 3, 3, 2, 3), uniform(rng, 3)], [uniform(rng, 48, 5) * 0.3, uniform(rng, 5)], [uniform(rng, 5, 2), uniform(rng, 2)]
    bn1 = [rng.uniform(0.5, 1.5, 3), uniform(rng, 3), rng.uniform(0.2, 2, 3)]  # gamma, moving mean, moving variance
    bn2 = [rng.uniform(0.5, 1.5, 5), uniform(rng, 5), uniform(rng, 5), rng.uniform(0.2, 2, 5)]  # gamma, beta, moving mean, moving variance
    config = sequential('normalized', [
        {k_: v for k_, v in input_layer('input_layer', [6, 6, 2]).items() if k_ not in ('name', 'inbound_nodes')},
        layer('Conv2D', 'conv2d', filters=3, kernel_size=[3, 3], strides=[1, 1], padding='valid', data_format='channels_last',
              dilation_rate=[1, 1], groups=1, activation='linear', use_bias=True),
        layer('BatchNormalization', 'batch_normalization', axis=-1, momentum=0.99, epsilon=0.001, center=False, scale=True),
        layer('Flatten', 'flatten', data_format='channels_last'),
        layer('Dense', 'dense', units=5, activation='linear', use_bias=True),
        layer('BatchNormalization', 'batch_normalization_1', axis=-1, momentum=0.9, epsilon=0.001, center=True, scale=True),
        layer('Activation', 'activation', activation='relu'),
        layer('Dropout', 'dropout', rate=0.3),
        layer('Dense', 'dense_1', units=2, activation='softmax', use_bias=True)], [6, 6, 2])
    write_keras('batchnorm', config, {'layers/conv2d/vars': conv, 'layers/batch_normalization/vars': bn1, 'layers/dense/vars': d1,
                                      'layers/batch_normalization_1/vars': bn2, 'layers/dropout/vars': [], 'layers/dense_1/vars': d2})
    x = uniform(rng, 4, 6, 6, 2)
    h = batch_norm(conv2d(x, *conv, 'valid'), bn1[0], 0, bn1[1], bn1[2], 0.001).reshape(4, -1)
    h = np.maximum(batch_norm(dense(h, *d1), *bn2, 0.001), 0)
    write_io('batchnorm', {'input_layer': x}, {'dense_1': dense(h, *d2, 'softmax')})


def embedding_model(rng):
    """Functional: token ids (an int32 Input) through an Embedding into an LSTM, beside a Dense of a float input."""
    table, cell, k, b = uniform(rng, 6, 3), [uniform(rng, 3, 8), uniform(rng, 2, 8), uniform(rng, 8)], uniform(rng, 2, 1), uniform(rng, 1)
    tokens_in = input_layer('tokens', [5])
    tokens_in['config']['dtype'] = 'int32'
    layers = [tokens_in,
              called(layer('Embedding', 'embedding', input_dim=6, output_dim=3, mask_zero=False), tensor('tokens', [5])),
              called(layer('LSTM', 'lstm', units=2, activation='tanh', recurrent_activation='sigmoid', use_bias=True, return_sequences=False,
                           return_state=False, go_backwards=False, stateful=False), tensor('embedding', [5, 3])),
              called(layer('Dense', 'score', units=1, activation='sigmoid', use_bias=True), tensor('lstm', [2]))]
    write_keras('embedding', functional('tokens', layers, ['tokens'], ['score']),
                {'layers/embedding/vars': [table], 'layers/lstm/vars': [], 'layers/lstm/cell/vars': cell, 'layers/dense/vars': [k, b]})
    ids = rng.integers(0, 6, (4, 5))
    write_io('embedding', {'tokens': ids}, {'score': dense(lstm(table[ids], *cell, False), k, b, 'sigmoid')})


if __name__ == '__main__':
    rng = np.random.default_rng(16)
    for make in [dense_model, lstm_model, gated_cnn_model, merge_model, legacy_lstm_model, custom_connected_model, unsupported_model, batchnorm_model, embedding_model]:
        make(rng)
