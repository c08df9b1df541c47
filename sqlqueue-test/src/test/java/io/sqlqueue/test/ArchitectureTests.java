package io.sqlqueue.test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The test module builds on the core's API only, as an application's tests would. */
class ArchitectureTests {

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
