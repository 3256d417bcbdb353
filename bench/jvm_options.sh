# Sourced by bench/suite and bench/profile: the options ./nnetc's launcher gives the JVM that runs a network
# (nnet.runtime.Vectors.JIT_OPTIONS, LANGUAGE.md §9), for runs that start java themselves.
# shellcheck disable=SC2034 # used by the scripts that source this
nnet_jvm_options=(--add-modules=jdk.incubator.vector -XX:CompileCommand=quiet
  '-XX:CompileCommand=CompileThresholdScaling,nnet.generated.*::k*,0.1' '-XX:CompileCommand=CompileThresholdScaling,nnet.generated.*::tile*,0.1'
  '-XX:CompileCommand=CompileThresholdScaling,nnet.generated.*::*Tile,0.1' '-XX:CompileCommand=dontinline,nnet.generated.*::tile*')
