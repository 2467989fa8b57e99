package store.analysis;

import java.util.Locale;
import java.util.function.UnaryOperator;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;

/** The English stemmers of {@code stemmer} (by {@code language}), {@code porter_stem} and {@code kstem}. */
final class StemmerFactory extends AbstractTokenFilterFactory {
    private final UnaryOperator<TokenStream> stemmer;

    private StemmerFactory(String name, Settings settings, UnaryOperator<TokenStream> stemmer) {
        super(name, settings);
        this.stemmer = stemmer;
    }

    static StemmerFactory forLanguage(String name, Settings settings, String language) {
        UnaryOperator<TokenStream> stemmer = switch (language.toLowerCase(Locale.ROOT)) {
            case "english", "porter", "porter2" -> PorterStemFilter::new;
            case "light_english", "kstem" -> KStemFilter::new;
            case "minimal_english" -> EnglishMinimalStemFilter::new;
            case "possessive_english" -> EnglishPossessiveFilter::new;
            default -> throw new IllegalArgumentException(
                "stemmer [" + name + "]: language [" + language + "] is not one of english, porter,"
                    + " light_english, minimal_english, possessive_english");
        };
        return new StemmerFactory(name, settings, stemmer);
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return stemmer.apply(tokenStream);
    }
}
