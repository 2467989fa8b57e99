package store.analysis;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter.StemmerOverrideMap;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;

/**
 * {@code stemmer_override}: rules such as "children, childrens => child" (from {@code rules}
 * or {@code rules_path}); matched words are marked as keywords so a stemmer after it skips them.
 */
final class StemmerOverrideFactory extends AbstractTokenFilterFactory {
    private final StemmerOverrideMap overrides;

    StemmerOverrideFactory(IndexSettings indexSettings, Environment env, String name, Settings settings)
        throws IOException {
        super(name, settings);
        List<String> rules = Analysis.getWordList(env, settings, "rules");
        if (rules == null || rules.isEmpty()) {
            throw new IllegalArgumentException("stemmer_override [" + name + "] requires [rules] or [rules_path]");
        }
        StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
        for (String rule : rules) {
            String[] sides = rule.split("=>", -1);
            if (sides.length != 2 || sides[1].trim().isEmpty()) {
                throw new IllegalArgumentException("stemmer_override [" + name + "]: malformed rule [" + rule + "]");
            }
            String stem = sides[1].trim();
            for (String word : sides[0].split(",", -1)) {
                if (!word.trim().isEmpty()) {
                    builder.add(word.trim(), stem);
                }
            }
        }
        this.overrides = builder.build();
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new StemmerOverrideFilter(tokenStream, overrides);
    }
}
