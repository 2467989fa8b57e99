package store.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

/**
 * {@code synonym_graph}: rules from {@code synonyms} (a list) or {@code synonyms_path} (a file
 * under the config folder), in Solr ("tv, television", "laptop => notebook") or WordNet
 * {@code format}. The rules are analysed with the filters before this one in its analyzer.
 * With {@code updateable: true} it is search-time only, and {@code _reload_search_analyzers}
 * re-reads the file without a reindex.
 */
final class SynonymGraphFactory extends AbstractTokenFilterFactory {
    private final Environment env;
    private final Settings settings;
    private final boolean expand;
    private final boolean lenient;
    private final boolean wordnet;
    private final boolean updateable;

    SynonymGraphFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        this.env = env;
        this.settings = settings;
        this.expand = settings.getAsBoolean("expand", true);
        this.lenient = settings.getAsBoolean("lenient", false);
        this.updateable = settings.getAsBoolean("updateable", false);
        String format = settings.get("format", "solr").toLowerCase(Locale.ROOT);
        if (!format.equals("solr") && !format.equals("wordnet")) {
            throw new IllegalArgumentException("synonym_graph [" + name + "]: format must be solr or wordnet");
        }
        this.wordnet = format.equals("wordnet");
        if (settings.get("synonyms_path") == null && settings.getAsList("synonyms", null) == null) {
            throw new IllegalArgumentException("synonym_graph [" + name + "] requires [synonyms] or [synonyms_path]");
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        // Elasticsearch asks for the chain-aware factory first; reaching this is a bug.
        throw new IllegalStateException("synonym_graph [" + name() + "] used outside an analyzer chain");
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
    }

    @Override
    public String getResourceName() {
        return settings.get("synonyms_path");
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        Analyzer chain = chainAnalyzer(tokenizer, charFilters, previousTokenFilters);
        SynonymMap synonyms = buildMap(chain);
        String filterName = name();
        AnalysisMode mode = getAnalysisMode();
        String resource = getResourceName();
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return filterName;
            }

            @Override
            public TokenStream create(TokenStream tokenStream) {
                // an empty rule list leaves the stream as it is
                return synonyms.fst == null ? tokenStream : new SynonymGraphFilter(tokenStream, synonyms, true);
            }

            @Override
            public TokenFilterFactory getSynonymFilter() {
                // a later synonym filter parses its rules without this one's expansions
                return IDENTITY_FILTER;
            }

            @Override
            public AnalysisMode getAnalysisMode() {
                return mode;
            }

            @Override
            public String getResourceName() {
                return resource;
            }
        };
    }

    private static Analyzer chainAnalyzer(
        TokenizerFactory tokenizer, List<CharFilterFactory> charFilters, List<TokenFilterFactory> filters
    ) {
        List<TokenFilterFactory> parsing = new ArrayList<>();
        for (TokenFilterFactory filter : filters) {
            parsing.add(filter.getSynonymFilter());
        }
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = tokenizer.create();
                TokenStream stream = source;
                for (TokenFilterFactory filter : parsing) {
                    stream = filter.create(stream);
                }
                return new TokenStreamComponents(source, stream);
            }

            @Override
            protected Reader initReader(String fieldName, Reader reader) {
                Reader wrapped = reader;
                for (CharFilterFactory charFilter : charFilters) {
                    wrapped = charFilter.create(wrapped);
                }
                return wrapped;
            }
        };
    }

    private String rules() throws IOException {
        String path = settings.get("synonyms_path");
        if (path != null) {
            StringBuilder text = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(Analysis.getReaderFromFile(env, path, "synonyms_path"))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    text.append(line).append('\n');
                }
            }
            return text.toString();
        }
        return String.join("\n", settings.getAsList("synonyms", List.of()));
    }

    private SynonymMap.Parser parser(Analyzer chain) {
        return wordnet ? new WordnetSynonymParser(true, expand, chain) : new SolrSynonymParser(true, expand, chain);
    }

    private SynonymMap buildMap(Analyzer chain) {
        try {
            String text = rules();
            if (lenient) {
                // keep the rules that parse alone (a rule made of stop words only is skipped)
                StringBuilder kept = new StringBuilder();
                for (String line : text.split("\n", -1)) {
                    try {
                        parser(chain).parse(new StringReader(line));
                        kept.append(line).append('\n');
                    } catch (ParseException | IllegalArgumentException skipped) {
                        continue;
                    }
                }
                text = kept.toString();
            }
            SynonymMap.Parser parser = parser(chain);
            parser.parse(new StringReader(text));
            return parser.build();
        } catch (ParseException e) {
            throw new IllegalArgumentException("synonym_graph [" + name() + "]: malformed rules: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("synonym_graph [" + name() + "]: cannot read the rules", e);
        }
    }
}
