using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Studio.Web.Features.Storyboards.Cut;

namespace Studio.Tests.Features.Storyboards;

/// <summary>The hand-written PDF: structure a strict reader checks, and what each cell shows.</summary>
public sealed class ContactSheetPdfTests
{
    // 32x18 and 18x32 baseline JPEGs made with ffmpeg (testsrc2, -q:v 10).
    private static readonly byte[] WideJpeg = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xAB6AAADAQAAAAAAAAAAAAAAAAAEBgUHAQEBAQEAAAAAAAAAAAAAAAAGBAUCEAACAQMCBAcAAwEAAAAAAAABAhEAEgNBUQQhEzFhM7GBMiIUcSNCUhEAAQIEBgEFAQEAAAAAAAAAARECEgAEA0FxMjEiIWGBsVGyNBMz/8AAEQgAEgAgAwEiAAIRAAMRAD8Ay4nM+RlTQT/kAACSSTyA/k04YuL4/GxUPBKhvjii3/q6LY8ZqTiIJ4hIuZukQkwXCGWAO8bc9qYFK9Do2/f59KTNt91s726fLwrGrao1LubAQvQdyhDkK94DbYDred27Tt/tyKlkcJ8qRCOihIGBXxOaf3YMgn6mJB+pBBHcESCPEUzcNxXFywxvpJ5JAA1JIgCh8pt/IgjE6s7WsZ6Qd7kuJ2HMzz3FG8Obv0qYyMzK0A+Za5LWkbjtHPYUifV3nW4i4nNx2jhi3RE5avXGY3Wg60+0SYCQS3AlA5E+VCad8JXMvnH29KJTWhsvnH29KJTWj50jITzWfrdm77OlcXuKrprUhe4qumtLXzA7/F2Y9xP/2Q==");

    private static readonly byte[] TallJpeg = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xACDAAADAQEBAAAAAAAAAAAAAAAABQQCBgcBAAIDAQEAAAAAAAAAAAAAAAYFAAcBAwIQAAIABAUEAQUBAAAAAAAAAAIBABEDEiFBgQQzMrExE2FxkUJRIwURAAEEAAEKBgMBAAAAAAAAAAEAAwIRBDFSMyETUQWREkFTgeE0okIiI2EU/8AAEQgAIAASAwESAAISAAMSAP/aAAwDAQACEQMRAD8A8ubrHUIQyU/xSSSm228Evq4f0Gm9wErmXqaHwyQ4kl8y1g0xeLkzKY6wI1W/Kqgcv9crNC7OVPZGfUQE+xZG1cj3lVDJaiqVN4e5qNuZkIk3IELFD1T6ZSz8R0hGDoOhbM8D9M3db7LrZ/u3Lq+IM8NigxhoxjKogyod9ZQQ3CYdDt1DO9EhZLrZcEdRkNf9TKJGy6K/Ld6rSqf6bU05p5/xhA9nXJzGlanilcOCeWLn94MP9kc48kq2sfE+CqmXCgST0d89ExZl4fzSZ8xadoHzFp2jgNGFBowiLiXugpxP3QS0+QtO0B8hadoJWdFHzUZ0UfNK2/ssb+yvgjzQ3DktQiSbOs81hylf/9k=");

    [Fact]
    public void Build_StartsWithPdfHeaderAndEndsWithEof()
    {
        var pdf = Build(Shots(3));

        Assert.StartsWith("%PDF-1.4\n", pdf.Text);
        Assert.EndsWith("%%EOF\n", pdf.Text);
    }

    [Fact]
    public void Build_XrefOffsetsPointAtEveryObject()
    {
        var pdf = Build(Shots(8, withPosters: true));

        var startXref = int.Parse(Regex.Match(pdf.Text, @"startxref\n(\d+)\n%%EOF\n$").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.StartsWith("xref\n", pdf.Text[startXref..]);
        var header = Regex.Match(pdf.Text[startXref..], @"^xref\n0 (\d+)\n");
        var size = int.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
        var entries = startXref + header.Length;
        Assert.Equal("0000000000 65535 f \n", pdf.Text.Substring(entries, 20));
        for (var id = 1; id < size; id++)
        {
            var entry = pdf.Text.Substring(entries + id * 20, 20);
            Assert.Matches(@"^\d{10} 00000 n \n$", entry);
            var offset = int.Parse(entry[..10], CultureInfo.InvariantCulture);
            Assert.StartsWith($"{id} 0 obj\n", pdf.Text[offset..]);
        }

        Assert.Equal(size - 1, Regex.Matches(pdf.Text, @"(?m)^\d+ 0 obj$").Count);
        Assert.Contains($"/Size {size} /Root 1 0 R", pdf.Text);
    }

    [Fact]
    public void Build_StreamLengthsMatchTheirData()
    {
        var pdf = Build(Shots(7, withPosters: true));

        var streams = Regex.Matches(pdf.Text, @"/Length (\d+)[^\n]*>>\nstream\n");
        Assert.NotEmpty(streams);
        foreach (Match stream in streams)
        {
            var end = stream.Index + stream.Length + int.Parse(stream.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.StartsWith("\nendstream\n", pdf.Text[end..]);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(6, 1)]
    [InlineData(7, 2)]
    [InlineData(12, 2)]
    [InlineData(13, 3)]
    public void Build_PageCountIsShotsOverSixRoundedUp(int shots, int pages)
    {
        var pdf = Build(Shots(shots));

        Assert.Equal(pages, pdf.PageCount);
        Assert.Contains($"/Count {pages}", pdf.Text);
    }

    [Fact]
    public void Build_SevenShots_HasTwoPagesWithFooters()
    {
        var pdf = Build(Shots(7));

        Assert.Equal(2, pdf.PageCount);
        var contents = pdf.PageContents();
        Assert.Equal(2, contents.Count);
        Assert.Contains("(page 1 of 2)", contents[0]);
        Assert.Contains("(page 2 of 2)", contents[1]);
        Assert.Contains("Shot 6", contents[0]);
        Assert.DoesNotContain("Shot 7", contents[0]);
        Assert.Contains("Shot 7", contents[1]);
    }

    [Fact]
    public void Build_NoShots_StillMakesOnePageSayingSo()
    {
        var pdf = Build([]);

        Assert.Equal(1, pdf.PageCount);
        Assert.Contains("no shots yet", pdf.PageContents()[0]);
    }

    [Fact]
    public void Build_EveryShotTitleAppearsInTheContentStreams()
    {
        var shots = Shots(9);

        var content = string.Join('\n', Build(shots).PageContents());

        foreach (var shot in shots)
        {
            Assert.Contains($"(Shot {shot.Number} \\267 {shot.Title})", content);
        }

        Assert.Contains("(Title and subtitle)", content);
        Assert.Contains("(Subtitle line)", content);
    }

    [Fact]
    public void Build_EmbedsEachPosterAsItIsWithItsJpegSize()
    {
        List<ContactSheetShot> shots =
        [
            new(1, "Wide", "p", "c", WideJpeg),
            new(2, "Empty", "p", "c", null),
            new(3, "Tall", "p", "c", TallJpeg),
        ];

        var pdf = Build(shots);

        var images = Regex.Matches(pdf.Text, @"/Subtype /Image /Width (\d+) /Height (\d+) /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode >>\nstream\n");
        Assert.Equal(2, images.Count);
        Assert.Equal(("32", "18"), (images[0].Groups[1].Value, images[0].Groups[2].Value));
        Assert.Equal(("18", "32"), (images[1].Groups[1].Value, images[1].Groups[2].Value));
        var start = images[0].Index + images[0].Length;
        Assert.Equal(WideJpeg, pdf.Bytes.AsSpan(start, WideJpeg.Length).ToArray());
        Assert.Equal(2, Regex.Matches(pdf.PageContents()[0], @" cm /Im\d+ Do Q").Count);
    }

    [Fact]
    public void Build_PosterIsFittedInsideItsBoxKeepingAspectRatio()
    {
        var content = Build([new(1, "Tall", "p", "c", TallJpeg)]).PageContents()[0];

        var placement = Regex.Match(content, @"q ([\d.]+) 0 0 ([\d.]+) [\d.]+ [\d.]+ cm /Im");
        var width = double.Parse(placement.Groups[1].Value, CultureInfo.InvariantCulture);
        var height = double.Parse(placement.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(18.0 / 32, width / height, 2);
        Assert.InRange(height, 100, 160);
    }

    [Fact]
    public void Build_ShotWithoutPosterOrWithBrokenPoster_ShowsAPlaceholderAndEmbedsNothing()
    {
        var pdf = Build([new(1, "No take", "p", "c", null), new(2, "Broken", "p", "c", [0xFF, 0xD8, 0x00, 0x01, 0x02])]);

        var content = pdf.PageContents()[0];
        Assert.Contains("(No take yet)", content);
        Assert.Contains("(Poster unavailable)", content);
        Assert.DoesNotContain("/Subtype /Image", pdf.Text);
        Assert.DoesNotContain("/XObject", pdf.Text);
    }

    [Fact]
    public void Build_EscapesParenthesesAndBackslashesInText()
    {
        var pdf = Build([new(1, @"Scene (A) \ B", @"a (prompt) with \ backslash", "cap", null)], title: "Title (draft)");

        var content = pdf.PageContents()[0];
        Assert.Contains(@"(Shot 1 \267 Scene \(A\) \\ B)", content);
        Assert.Contains(@"(a \(prompt\) with \\ backslash)", content);
        Assert.Contains(@"(Title \(draft\))", content);
    }

    [Fact]
    public void Build_WritesWinAnsiAndReplacesWhatItCannotShow()
    {
        var content = Build([new(1, "Café", "naïve “quotes” — 日本 🎬", "cap", null)]).PageContents()[0];

        Assert.Contains(@"Caf\351)", content);
        Assert.Contains(@"(na\357ve \223quotes\224 \227 ?? ?)", content);
        Assert.All(content, c => Assert.InRange(c, '\n', '~'));
    }

    [Fact]
    public void Build_LongPromptIsCutWithAnEllipsisInsideTheCell()
    {
        var prompt = string.Join(' ', Enumerable.Range(1, 400).Select(i => $"word{i}"));

        var content = Build([new(1, "Long", prompt, "cap", null)]).PageContents()[0];

        var promptLines = Regex.Matches(content, @"/F1 8 Tf [^(]*\((word[^)]*)\) Tj").Select(m => m.Groups[1].Value).ToList();
        Assert.InRange(promptLines.Count, 3, 6);
        Assert.EndsWith(@"\205", promptLines[^1]);
        Assert.DoesNotContain("word400", content);
    }

    [Fact]
    public void Wrap_EveryLineFitsTheWidthAndTheLastEndsWithAnEllipsisWhenCut()
    {
        var text = "A lighthouse on a cliff at dusk, waves crashing below, slow aerial push-in, warm rim light on the tower, "
            + "volumetric fog rolling over the sea; Supercalifragilisticexpialidocious-and-then-some-more-letters.";

        var lines = ContactSheetPdf.Wrap(ContactSheetPdf.Font.Regular, 8, text, 100, 4);

        Assert.Equal(4, lines.Count);
        Assert.All(lines, line => Assert.True(ContactSheetPdf.Font.Regular.Width(line, 8) <= 100, $"'{line}' is too wide"));
        Assert.EndsWith("…", lines[^1]);
    }

    [Fact]
    public void Font_Width_UsesHelveticaMetrics()
    {
        // "Hi" = H 722 + i 222 in Helvetica; H 722 + i 278 in Helvetica-Bold.
        Assert.Equal(9.44, ContactSheetPdf.Font.Regular.Width("Hi", 10), 3);
        Assert.Equal(10.0, ContactSheetPdf.Font.Bold.Width("Hi", 10), 3);
    }

    [Fact]
    public void Build_SameInput_SameBytes() =>
        Assert.Equal(Build(Shots(7, withPosters: true)).Bytes, Build(Shots(7, withPosters: true)).Bytes);

    private static List<ContactSheetShot> Shots(int count, bool withPosters = false) =>
        Enumerable.Range(1, count)
            .Select(i => new ContactSheetShot(i, $"Title {i}", $"Prompt for shot {i}", $"gen4.5 · runway · 5 s · seed {i}", withPosters && i % 2 == 1 ? WideJpeg : null))
            .ToList();

    private static ParsedPdf Build(IReadOnlyList<ContactSheetShot> shots, string title = "Title and subtitle") =>
        new(ContactSheetPdf.Build(title, "Subtitle line", shots));

    /// <summary>Just enough PDF reading for these tests; Latin-1 keeps one char per byte, so string offsets are byte offsets.</summary>
    private sealed class ParsedPdf(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public string Text { get; } = Encoding.Latin1.GetString(bytes);

        public int PageCount => Regex.Matches(Text, @"/Type /Page(?!s)\b").Count;

        /// <summary>Each page's content stream, in page order.</summary>
        public List<string> PageContents()
        {
            var kids = Regex.Match(Text, @"/Type /Pages /Kids \[([^\]]*)\]").Groups[1].Value;
            return Regex.Matches(kids, @"(\d+) 0 R")
                .Select(kid => Regex.Match(Object(kid.Groups[1].Value), @"/Contents (\d+) 0 R").Groups[1].Value)
                .Select(contentId =>
                {
                    var stream = Regex.Match(Object(contentId), @"/Length (\d+) >>\nstream\n");
                    var body = Object(contentId);
                    return body.Substring(stream.Index + stream.Length, int.Parse(stream.Groups[1].Value, CultureInfo.InvariantCulture));
                })
                .ToList();
        }

        private string Object(string id)
        {
            var start = Regex.Match(Text, $@"(?m)^{id} 0 obj\n").Index;
            var end = Text.IndexOf("\nendobj\n", start, StringComparison.Ordinal);
            return Text[start..end];
        }
    }
}
