package io.sqlqueue.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation as a user reads it: a README short enough to read, links and anchors that lead
 * somewhere, and Java examples that say where their sqlqueue classes come from. A Java block that
 * uses a public type of sqlqueue-core, the starter or sqlqueue-test must import it, or follow within three lines a
 * sentence naming its package; every {@code import io.sqlqueue...} must name a class that exists.
 * Reads the Markdown files of the repository root (this module's parent directory).
 */
class DocumentationTests {

	private static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
		.toAbsolutePath()
		.getParent();

	private static final int README_MAX_BYTES = 15 * 1024;

	private static final List<String> DOCS_PAGES = List.of("getting-started.md", "configuration.md", "core-api.md",
			"operations.md", "delivery-guarantees.md", "databases.md", "benchmarks.md", "testing.md",
			"dashboard.md", "workflows.md");

	private static final int PACKAGE_SENTENCE_DISTANCE = 3;

	private static final Pattern FENCE = Pattern.compile("^ {0,3}```\\s*([\\w+-]*).*$");

	private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");

	private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

	private static final Pattern URL_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

	private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;");

	private static final Pattern STRING_LITERAL = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

	private static final Pattern TYPE_NAME = Pattern.compile("(?<![\\w.$])[A-Z][A-Za-z0-9_]*\\b");

	private static final Pattern PUBLIC_TYPE = Pattern.compile(
			"^public\\s+(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum|@interface)\\s+(\\w+)",
			Pattern.MULTILINE);

	private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

	@Test
	void readmeIsAtMost15KiB() throws IOException {
		assertThat(Files.size(ROOT.resolve("README.md")))
			.as("README.md in bytes: move reference material to docs/")
			.isLessThanOrEqualTo(README_MAX_BYTES);
	}

	@Test
	void docsHaveTheirPages() {
		assertThat(DOCS_PAGES).allSatisfy((page) -> assertThat(ROOT.resolve("docs").resolve(page)).isRegularFile());
	}

	@Test
	void relativeLinksAndAnchorsResolve() {
		assertThat(inEveryFile(DocumentationTests::brokenLinks)).as("broken links").isEmpty();
	}

	@Test
	void javaExamplesImportTheSqlqueueTypesTheyUse() {
		Map<String, Set<String>> types = sqlqueueTypes();
		assertThat(types).as("public types found in the sources").containsKeys("JobQueue", "JobHandler", "JobWorker");
		assertThat(inEveryFile((file, lines) -> missingImports(file, lines, types)))
			.as("Java examples without imports")
			.isEmpty();
	}

	@Test
	void sqlqueueImportsInExamplesNameClassesThatExist() {
		assertThat(inEveryFile(DocumentationTests::unknownImports)).as("imports of classes that do not exist").isEmpty();
	}

	@Test
	void aBrokenLinkOrAnchorIsReportedWithItsFileAndLine() {
		Path file = ROOT.resolve("docs/example.md");
		List<String> lines = List.of("# Meters and `tags`", "", "See [meters](#meters-and-tags), [up](../README.md#the-two-commands).",
				"Broken: [a](#no-such-heading) and [b](missing.md).", "```bash", "[not a link](nowhere.md)", "```");
		assertThat(brokenLinks(file, lines)).containsExactly(
				"docs/example.md:4: #no-such-heading matches no heading of docs/example.md",
				"docs/example.md:4: missing.md does not exist");
	}

	@Test
	void aJavaBlockWithoutItsImportIsReportedWithTheMissingImport() {
		Map<String, Set<String>> types = Map.of("JobQueue", Set.of("io.sqlqueue"), "JobHandler",
				Set.of("io.sqlqueue.spring"), "QueueSettings", Set.of("io.sqlqueue.worker"));
		List<String> lines = List.of("Types from `io.sqlqueue.worker`:", "", "```java", "import io.sqlqueue.JobQueue;",
				"QueueSettings settings = QueueSettings.defaults(); // a JobHandler in a comment does not count",
				"JobQueue jobs = queue(\"JobHandler\");", "@JobHandler(\"x\") void x() {}", "```");
		assertThat(missingImports(ROOT.resolve("docs/example.md"), lines, types)).containsExactly(
				"docs/example.md:7: JobHandler is used without 'import io.sqlqueue.spring.JobHandler;' in the block or a "
						+ "sentence naming io.sqlqueue.spring in the 3 lines above it");
	}

	@Test
	void anImportOfAClassThatDoesNotExistIsReported() {
		List<String> lines = List.of("```java", "import io.sqlqueue.JobQueue;", "import io.sqlqueue.spring.JobQueue;",
				"import io.sqlqueue.EnqueueOptions.UniquePolicy;", "import static io.sqlqueue.WorkflowBuilder.after;",
				"import static io.sqlqueue.WorkflowBuilder.before;", "```");
		assertThat(unknownImports(ROOT.resolve("docs/example.md"), lines)).containsExactly(
				"docs/example.md:3: import io.sqlqueue.spring.JobQueue names no class",
				"docs/example.md:6: import static io.sqlqueue.WorkflowBuilder.before names no member");
	}

	// ---- the checks ------------------------------------------------------------------------

	/** The problems {@code check} finds in README.md, CONTRIBUTING.md and docs/*.md, in that order. */
	private static List<String> inEveryFile(BiFunction<Path, List<String>, List<String>> check) {
		List<String> problems = new ArrayList<>();
		for (Path file : documentationFiles()) {
			problems.addAll(check.apply(file, lines(file)));
		}
		return problems;
	}

	private static List<String> brokenLinks(Path file, List<String> lines) {
		List<String> problems = new ArrayList<>();
		for (Line line : prose(lines)) {
			Matcher link = LINK.matcher(INLINE_CODE.matcher(line.text()).replaceAll(""));
			while (link.find()) {
				String target = link.group(1);
				if (URL_SCHEME.matcher(target).find()) {
					continue;
				}
				int hash = target.indexOf('#');
				String path = (hash >= 0) ? target.substring(0, hash) : target;
				String anchor = (hash >= 0) ? target.substring(hash + 1) : null;
				Path linked = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
				if (!path.isEmpty() && !Files.exists(linked)) {
					problems.add(where(file, line) + target + " does not exist");
				}
				else if (anchor != null && !(linked.toString().endsWith(".md")
						&& anchors(linked.equals(file) ? lines : lines(linked)).contains(anchor))) {
					problems.add(where(file, line) + "#" + anchor + " matches no heading of " + relative(linked));
				}
			}
		}
		return problems;
	}

	private static List<String> missingImports(Path file, List<String> lines, Map<String, Set<String>> types) {
		List<String> problems = new ArrayList<>();
		for (CodeBlock block : javaBlocks(lines)) {
			Set<String> imported = new HashSet<>();
			Set<String> importedPackages = new HashSet<>();
			for (Line line : block.lines()) {
				Matcher matcher = IMPORT.matcher(line.text());
				if (matcher.find()) {
					String name = matcher.group(1);
					if (matcher.group(2) != null) {
						importedPackages.add(name);
					}
					else {
						imported.add(name.substring(name.lastIndexOf('.') + 1));
					}
				}
			}
			String above = String.join(" ", lines.subList(Math.max(0, block.fenceIndex() - PACKAGE_SENTENCE_DISTANCE),
					block.fenceIndex()));
			Set<String> reported = new HashSet<>();
			for (Line line : block.lines()) {
				Matcher name = TYPE_NAME.matcher(codeOnly(line.text()));
				while (name.find()) {
					String type = name.group();
					Set<String> packages = types.get(type);
					if (packages == null || imported.contains(type) || !reported.add(type)
							|| packages.stream().anyMatch((p) -> importedPackages.contains(p) || namesPackage(above, p))) {
						continue;
					}
					String expected = packages.iterator().next();
					problems.add(where(file, line) + type + " is used without 'import " + expected + "." + type
							+ ";' in the block or a sentence naming " + expected + " in the " + PACKAGE_SENTENCE_DISTANCE
							+ " lines above it");
				}
			}
		}
		return problems;
	}

	private static List<String> unknownImports(Path file, List<String> lines) {
		List<String> problems = new ArrayList<>();
		for (CodeBlock block : javaBlocks(lines)) {
			for (Line line : block.lines()) {
				Matcher matcher = IMPORT.matcher(line.text());
				if (!matcher.find() || !matcher.group(1).startsWith("io.sqlqueue.") || matcher.group(2) != null) {
					continue;
				}
				if (line.text().strip().startsWith("import static ")) {
					if (!memberExists(matcher.group(1))) {
						problems.add(where(file, line) + "import static " + matcher.group(1) + " names no member");
					}
				}
				else if (!classExists(matcher.group(1))) {
					problems.add(where(file, line) + "import " + matcher.group(1) + " names no class");
				}
			}
		}
		return problems;
	}

	/** Whether {@code name} is a static method or field of a class, as {@code import static} names one. */
	private static boolean memberExists(String name) {
		int dot = name.lastIndexOf('.');
		String owner = name.substring(0, dot);
		String member = name.substring(dot + 1);
		if (!classExists(owner)) {
			return false;
		}
		String candidate = owner;
		while (true) {
			try {
				Class<?> type = Class.forName(candidate, false, DocumentationTests.class.getClassLoader());
				return Arrays.stream(type.getMethods()).anyMatch((method) -> method.getName().equals(member))
						|| Arrays.stream(type.getFields()).anyMatch((field) -> field.getName().equals(member));
			}
			catch (ClassNotFoundException ex) {
				int last = candidate.lastIndexOf('.');
				candidate = candidate.substring(0, last) + "$" + candidate.substring(last + 1);
			}
		}
	}

	/** Whether {@code name} is a class, trying {@code Outer.Inner} as {@code Outer$Inner}. */
	private static boolean classExists(String name) {
		String candidate = name;
		while (true) {
			try {
				Class.forName(candidate, false, DocumentationTests.class.getClassLoader());
				return true;
			}
			catch (ClassNotFoundException ex) {
				int dot = candidate.lastIndexOf('.');
				if (dot < 0) {
					return false;
				}
				candidate = candidate.substring(0, dot) + "$" + candidate.substring(dot + 1);
			}
		}
	}

	/** Whether {@code text} names {@code pkg} itself, not only a package or class inside it. */
	private static boolean namesPackage(String text, String pkg) {
		return Pattern.compile("(?<![\\w.])" + Pattern.quote(pkg) + "(?!\\w|\\.\\w)").matcher(text).find();
	}

	/** A line of Java without its string and character literals and its line comment. */
	private static String codeOnly(String java) {
		String withoutStrings = STRING_LITERAL.matcher(java).replaceAll("\"\"");
		int comment = withoutStrings.indexOf("//");
		return (comment >= 0) ? withoutStrings.substring(0, comment) : withoutStrings;
	}

	/**
	 * The anchors GitHub gives the headings of a Markdown file: lowercase, spaces to {@code -},
	 * punctuation other than {@code -} and {@code _} dropped, {@code -1}, {@code -2}... on repeats.
	 */
	private static Set<String> anchors(List<String> lines) {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		for (Line line : prose(lines)) {
			Matcher heading = HEADING.matcher(line.text());
			if (heading.matches()) {
				String slug = heading.group(2)
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N} _-]", "")
					.replace(' ', '-');
				int repeat = seen.merge(slug, 1, Integer::sum) - 1;
				anchors.add((repeat == 0) ? slug : slug + "-" + repeat);
			}
		}
		return anchors;
	}

	// ---- reading Markdown and sources --------------------------------------------------------

	/** One line of a Markdown file; {@code index} counts from 0. */
	private record Line(int index, String text) {
	}

	/** A fenced code block: its language, the index of its opening fence and its lines. */
	private record CodeBlock(String language, int fenceIndex, List<Line> lines) {
	}

	private static List<CodeBlock> codeBlocks(List<String> lines) {
		List<CodeBlock> blocks = new ArrayList<>();
		CodeBlock open = null;
		for (int i = 0; i < lines.size(); i++) {
			Matcher fence = FENCE.matcher(lines.get(i));
			if (open == null && fence.matches()) {
				open = new CodeBlock(fence.group(1), i, new ArrayList<>());
			}
			else if (open != null && fence.matches() && fence.group(1).isEmpty()) {
				blocks.add(open);
				open = null;
			}
			else if (open != null) {
				open.lines().add(new Line(i, lines.get(i)));
			}
		}
		return blocks;
	}

	private static List<CodeBlock> javaBlocks(List<String> lines) {
		return codeBlocks(lines).stream().filter((block) -> block.language().equals("java")).toList();
	}

	/** The lines outside code blocks. */
	private static List<Line> prose(List<String> lines) {
		Set<Integer> code = new HashSet<>();
		for (CodeBlock block : codeBlocks(lines)) {
			for (int i = block.fenceIndex(); i <= block.fenceIndex() + block.lines().size() + 1; i++) {
				code.add(i);
			}
		}
		List<Line> prose = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			if (!code.contains(i)) {
				prose.add(new Line(i, lines.get(i)));
			}
		}
		return prose;
	}

	/** Simple name to packages of every public top-level type in the core's and the starter's sources. */
	private static Map<String, Set<String>> sqlqueueTypes() {
		Map<String, Set<String>> types = new TreeMap<>();
		for (String module : List.of("sqlqueue-core", "sqlqueue-spring-boot-starter", "sqlqueue-test")) {
			try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
				files.filter((file) -> file.toString().endsWith(".java")).forEach((file) -> {
					String source = read(file);
					Matcher pkg = PACKAGE.matcher(source);
					Matcher type = PUBLIC_TYPE.matcher(source);
					if (pkg.find() && type.find()) {
						types.computeIfAbsent(type.group(1), (name) -> new LinkedHashSet<>()).add(pkg.group(1));
					}
				});
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return types;
	}

	private static List<Path> documentationFiles() {
		List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
		try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
			docs.filter((file) -> file.toString().endsWith(".md")).sorted().forEach(files::add);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return files;
	}

	private static List<String> lines(Path file) {
		return read(file).lines().toList();
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String where(Path file, Line line) {
		return relative(file) + ":" + (line.index() + 1) + ": ";
	}

	private static String relative(Path file) {
		return ROOT.relativize(file).toString().replace('\\', '/');
	}

}
