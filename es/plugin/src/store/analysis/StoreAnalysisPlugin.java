package store.analysis;

import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Registers Lucene's own analysis classes under the names Elasticsearch's analysis-common
 * module uses, so that the same index settings work on the local node (whose Maven Central
 * build lacks that module) and on the official image (which has it, and must not get this).
 */
public final class StoreAnalysisPlugin extends Plugin implements AnalysisPlugin {

    /** Creates the plugin; Elasticsearch instantiates it once per node. */
    public StoreAnalysisPlugin() {}

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "asciifolding", AsciiFoldingFactory::new,
            "stemmer", (indexSettings, env, name, settings) ->
                StemmerFactory.forLanguage(name, settings, settings.get("language", settings.get("name", "english"))),
            "porter_stem", (indexSettings, env, name, settings) -> StemmerFactory.forLanguage(name, settings, "porter"),
            "kstem", (indexSettings, env, name, settings) -> StemmerFactory.forLanguage(name, settings, "light_english"),
            "stemmer_override", AnalysisPlugin.requiresAnalysisSettings(StemmerOverrideFactory::new),
            "synonym_graph", AnalysisPlugin.requiresAnalysisSettings(SynonymGraphFactory::new),
            "edge_ngram", EdgeNGramFilterFactory::new
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("edge_ngram", EdgeNGramTokenizerFactory::new);
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", EnglishAnalyzerProvider::new);
    }
}
