package io.sqlqueue;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import java.util.Set;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The core's shape: the facades ({@link JdbcJobQueue}, {@link SqlQueueMigrations},
 * {@link io.sqlqueue.worker.JobWorker}) build on the internals, the internals on the model (every other API
 * type), the model on nothing else; the internal packages depend on each other without cycles; and no API
 * signature shows an internal type.
 */
class ArchitectureTests {

	private static final String INTERNAL = "io.sqlqueue.internal..";

	private static final Set<String> FACADES = Set.of("io.sqlqueue.JdbcJobQueue", "io.sqlqueue.JdbcJobGroups", "io.sqlqueue.SqlQueueMigrations",
			"io.sqlqueue.worker.JobWorker");

	private static final JavaClasses CORE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.sqlqueue");

	@Test
	void facadesUseTheInternalsWhichUseOnlyTheModel() {
		DescribedPredicate<JavaClass> facade = DescribedPredicate.describe("a facade or nested in one",
				(type) -> FACADES.contains(outermost(type).getName()));
		DescribedPredicate<JavaClass> internal = JavaClass.Predicates.resideInAPackage(INTERNAL);
		DescribedPredicate<JavaClass> model = DescribedPredicate.describe("any other class of io.sqlqueue",
				(type) -> type.getPackageName().startsWith("io.sqlqueue") && !facade.test(type) && !internal.test(type));

		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("Facade").definedBy(facade)
			.layer("Internal").definedBy(internal)
			.layer("Model").definedBy(model)
			.whereLayer("Facade").mayNotBeAccessedByAnyLayer()
			.whereLayer("Internal").mayOnlyBeAccessedByLayers("Facade")
			.whereLayer("Internal").mayOnlyAccessLayers("Model")
			.whereLayer("Model").mayNotAccessAnyLayer()
			.check(CORE);
	}

	@Test
	void theInternalPackagesHaveNoCycles() {
		slices().matching("io.sqlqueue.internal.(*)..").should().beFreeOfCycles().check(CORE);
	}

	@Test
	void noApiSignatureShowsAnInternalType() {
		classes().that()
			.resideOutsideOfPackage(INTERNAL)
			.and()
			.arePublic()
			.should(exposeNoInternalType())
			.check(CORE);
	}

	/**
	 * No public or protected method or constructor takes or returns an internal type (type arguments included),
	 * and no public field holds one.
	 */
	private static ArchCondition<JavaClass> exposeNoInternalType() {
		return new ArchCondition<>("expose no internal type in a public or protected signature") {
			@Override
			public void check(JavaClass type, ConditionEvents events) {
				for (JavaCodeUnit member : type.getCodeUnits()) {
					if (visible(member.getModifiers(), true)) {
						checkType(member.getReturnType(), member, "returns", events);
						for (JavaType parameter : member.getParameterTypes()) {
							checkType(parameter, member, "takes", events);
						}
					}
				}
				for (JavaField field : type.getFields()) {
					if (visible(field.getModifiers(), false)) {
						checkType(field.getType(), field, "holds", events);
					}
				}
			}
		};
	}

	private static boolean visible(Set<JavaModifier> modifiers, boolean orProtected) {
		return modifiers.contains(JavaModifier.PUBLIC) || (orProtected && modifiers.contains(JavaModifier.PROTECTED));
	}

	private static void checkType(JavaType declared, JavaMember member, String verb, ConditionEvents events) {
		for (JavaClass involved : declared.getAllInvolvedRawTypes()) {
			if (involved.getPackageName().startsWith("io.sqlqueue.internal")) {
				events.add(SimpleConditionEvent.violated(member,
						member.getDescription() + " " + verb + " internal type " + involved.getName()));
			}
		}
	}

	private static JavaClass outermost(JavaClass type) {
		JavaClass outer = type;
		while (outer.getEnclosingClass().isPresent()) {
			outer = outer.getEnclosingClass().get();
		}
		return outer;
	}

}
