package io.sqlqueue.sample;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The sample application uses sqlqueue as any application would: through its API, never its internals. */
class ArchitectureTests {

	@Test
	void theSampleUsesNoInternalOfTheCore() {
		noClasses().that()
			.resideInAPackage("io.sqlqueue.sample..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.sqlqueue.internal..")
			.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
				.importPackages("io.sqlqueue.sample"));
	}

}
