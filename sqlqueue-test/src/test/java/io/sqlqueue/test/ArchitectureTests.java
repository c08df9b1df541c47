package io.sqlqueue.test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import java.util.List;

import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.sqlqueue.JobQueue;
import io.sqlqueue.codec.JacksonPayloadCodec;
import io.sqlqueue.spring.JobHandler;
import io.sqlqueue.spring.actuate.SqlQueueEndpoint;
import io.sqlqueue.test.autoconfigure.SqlQueueTestAutoConfiguration;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test module builds on the core's API only, as an application's tests would; every public package of the
 * core, the starter and this module is {@code @NullMarked}.
 */
class ArchitectureTests {

	@Test
	void everyPublicPackageIsNullMarked() {
		List<Class<?>> oneClassPerPackage = List.of(JobQueue.class, JacksonPayloadCodec.class, JobWorker.class,
				JobHandler.class, SqlQueueEndpoint.class, SqlQueueTester.class, SqlQueueTestAutoConfiguration.class);
		assertThat(oneClassPerPackage).allSatisfy(
				(type) -> assertThat(type.getPackage().isAnnotationPresent(NullMarked.class)).as(type.getPackageName()).isTrue());
	}

	@Test
	void theTestModuleUsesNoInternalOfTheCore() {
		noClasses().that()
			.resideInAPackage("io.sqlqueue.test..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.sqlqueue.internal..")
			.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
				.importPackages("io.sqlqueue.test"));
	}

}
