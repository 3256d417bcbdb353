package nnet.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code nnet:compile}: the networks of {@code src/main/nnet/**}{@code /*.nnet} as classes in the
 * build's classes folder, before Java sources compile, so they can call {@code new nnet.generated.Xor()}.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class CompileMojo extends CompileNetworks {
    @Parameter(property = "nnet.sourceDirectory", defaultValue = "${project.basedir}/src/main/nnet")
    File sourceDirectory;

    @Parameter(defaultValue = "${project.build.outputDirectory}", readonly = true)
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
        return "compile.status";
    }
}
