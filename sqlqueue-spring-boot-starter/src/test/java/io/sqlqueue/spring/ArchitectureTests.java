package io.sqlqueue.spring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The starter builds on the core's API only: nothing below {@code io.sqlqueue.internal} is its to use. */
class ArchitectureTests {

	@Test
	void theStarterUsesNoInternalOfTheCore() {
		noClasses().that()
			.resideInAPackage("io.sqlqueue.spring..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.sqlqueue.internal..")
			.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
				.importPackages("io.sqlqueue.spring"));
	}

}
