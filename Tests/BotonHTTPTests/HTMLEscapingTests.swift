import BotonHTTP
import Testing

@Suite struct HTMLEscapingTests {
    @Test func escapesTheFiveCharacters() {
        #expect(HTMLEscaping.escapeText(#"<a href="x">Tom & Jerry's</a>"#)
                    == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(HTMLEscaping.escapeAttribute(#"" onmouseover='alert(1)'"#)
                    == "&quot; onmouseover=&#39;alert(1)&#39;")
        #expect(HTMLEscaping.escapeText("ñandú — ok") == "ñandú — ok")
        #expect(HTMLEscaping.escapeText("&amp;") == "&amp;amp;")
        #expect(HTMLEscaping.escapeText("") == "")
    }
}
