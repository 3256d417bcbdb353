// The build compiled the networks into its jar and its test classes, and the tests that call them passed.
def jar = new java.util.zip.ZipFile(new File(basedir, 'target/xor-network-1.0.jar'))
def names = jar.entries().collect { it.name }
assert names.contains('nnet/generated/Xor.class')
assert names.contains('nnet/weights/Xor.safetensors')
assert names.contains('demo/XorTable.class')
assert !names.any { it.contains('Tiny') } : 'test networks stay out of the jar'
assert new File(basedir, 'target/test-classes/nnet/generated/Tiny.class').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0')
assert log.contains('Tiny is packed with initial weights (seed 1)')
assert new File(basedir, 'target/nnet-maven-plugin/compile.status').isFile()
return true
