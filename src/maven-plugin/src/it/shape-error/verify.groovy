// The build failed on the network's error, reported at its place, and compiled nothing.
def log = new File(basedir, 'build.log').text
assert log =~ /\[ERROR\] \S*src\/main\/nnet\/bad\.nnet:4:\d+: error: '\+' needs equal shapes: x is \[2\], h is \[3\]/
assert log.contains('1 error in the networks under')
assert !new File(basedir, 'target/classes/nnet/generated/Bad.class').exists()
return true
