package nnet.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** {@code nnet:testCompile}: the networks of {@code src/test/nnet} as classes in the test classes folder. */
@Mojo(name = "testCompile", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public final class TestCompileMojo extends CompileNetworks {
    @Parameter(property = "nnet.testSourceDirectory", defaultValue = "${project.basedir}/src/test/nnet")
    File sourceDirectory;

    @Parameter(defaultValue = "${project.build.testOutputDirectory}", readonly = true)
    File outputDirectory;

    @Override
    File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    File outputDirectory() {
        return outputDirectory;
    }

    @Override
    String statusName() {
        return "test-compile.status";
    }
}
