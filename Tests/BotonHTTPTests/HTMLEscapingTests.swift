import BotonHTTP
import XCTest

final class HTMLEscapingTests: XCTestCase {
    func testEscapesTheFiveCharacters() {
        XCTAssertEqual(HTMLEscaping.escapeText(#"<a href="x">Tom & Jerry's</a>"#),
                       "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        XCTAssertEqual(HTMLEscaping.escapeAttribute(#"" onmouseover='alert(1)'"#),
                       "&quot; onmouseover=&#39;alert(1)&#39;")
        XCTAssertEqual(HTMLEscaping.escapeText("ñandú — ok"), "ñandú — ok")
        XCTAssertEqual(HTMLEscaping.escapeText("&amp;"), "&amp;amp;")
        XCTAssertEqual(HTMLEscaping.escapeText(""), "")
    }
}
